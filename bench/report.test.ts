// Summaries: medians over rounds, ratios against the reference run of the same round.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable, summarize, type RunRecord } from './lib/report.ts';
import type { WrkResult } from './lib/wrk.ts';

const wrk = (rps: number, extra: Partial<WrkResult> = {}): WrkResult => ({
  requests: rps * 10, durationS: 10, rps, bytes: 0, p50Us: 1000, p90Us: 2000, p99Us: 4000, p999Us: 8000, maxUs: 9000,
  errConnect: 0, errRead: 0, errWrite: 0, errStatus: 0, errTimeout: 0, non2xx: null, ...extra,
});

const rec = (c: string, round: number, rps: number, us: number, extra: Partial<RunRecord> = {}): RunRecord => ({
  session: 's', round, case: c, group: c.split('/')[0]!, proxy: c.split('/')[1]!, ref: `${c.split('/')[0]}/nginx-1w`, table: 't',
  scheme: 'http', path: '/', conns: 64, try: 1, clean: true, wrk: wrk(rps), proxyUsPerReq: us, rssPeakKb: 10240, ...extra,
});

test('ratios are per round, then the median', () => {
  const rs = [
    rec('c64/nginx-1w', 1, 40000, 20), rec('c64/sluice-1w', 1, 20000, 40),
    rec('c64/nginx-1w', 2, 30000, 30), rec('c64/sluice-1w', 2, 18000, 45),
    rec('c64/nginx-1w', 3, 50000, 18), rec('c64/sluice-1w', 3, 20000, 45),
  ];
  const [n, s] = summarize(rs, ['c64/nginx-1w', 'c64/sluice-1w']);
  assert.equal(n!.rps, 40000);
  assert.ok(Number.isNaN(n!.rpsRatio));
  assert.equal(s!.rps, 20000);
  // per-round rps ratios 0.5, 0.6, 0.4 → 0.5; CPU ratios 2, 1.5, 2.5 → 2
  assert.equal(s!.rpsRatio, 0.5);
  assert.equal(s!.cpuRatio, 2);
  assert.equal(s!.rssMiB, 10);
});

test('failures are summed; unavailable cases are rows with a reason', () => {
  const rs = [
    rec('churn/sluice-1w', 1, 100, 1, { wrk: wrk(100, { non2xx: 2, errRead: 1, errTimeout: 3 }) }),
    rec('churn/sluice-1w', 2, 100, 1, { wrk: wrk(100, { non2xx: 0, errConnect: 4 }) }),
    { ...rec('tls/sluice-2w', 1, 0, 0), wrk: undefined, unavailable: 'TLS listener missing' },
  ];
  const [c, t] = summarize(rs, []);
  assert.equal(c!.non2xx, 2);
  assert.equal(c!.socket, 5);
  assert.equal(c!.timeouts, 3);
  assert.equal(c!.failed, 10);
  assert.equal(t!.unavailable, 'TLS listener missing');
  const md = renderTable([c!, t!]);
  assert.match(md, /\*\*2 \/ 5 \/ 3\*\*/);
  assert.match(md, /not available: TLS listener missing/);
});
