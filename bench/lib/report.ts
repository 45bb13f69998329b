// Turns raw run records into the comparison table (medians over rounds; ratios to the
// reference nginx run are taken per round, side by side, and then their median).

import { fmtFixed, fmtInt, fmtMs, fmtPct, median } from './stats.ts';
import { failedRequests, socketErrors, type WrkResult } from './wrk.ts';

export interface RunRecord {
  session: string;
  round: number;
  case: string;
  group: string;
  proxy: string;
  /** Case id whose runs are the reference for the ratios (nginx-1w of the same traffic). */
  ref: string | null;
  table: string;
  scheme: 'http' | 'https';
  path: string;
  conns: number;
  try: number;
  clean: boolean;
  /** Set when the case could not run (feature missing in this sluice, start failure, ...). */
  unavailable?: string;
  wrk?: WrkResult | null;
  proxyUsPerReq?: number;
  rssPeakKb?: number;
  foreignCpuPct?: number;
  tlsProtocol?: string | null;
  churn?: { writes: number; tableSwaps: number; compiles?: number; compileMeanMs?: number } | null;
  notes?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface CaseSummary {
  case: string;
  group: string;
  proxy: string;
  table: string;
  conns: number;
  scheme: string;
  runs: number;
  unavailable: string | null;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50Ms: number;
  p99Ms: number;
  usPerReq: number;
  rssMiB: number;
  non2xx: number;
  socket: number;
  timeouts: number;
  failed: number;
  /** Median over rounds of rps / reference rps of the same round. */
  rpsRatio: number;
  /** Median over rounds of µs/req / reference µs/req of the same round. */
  cpuRatio: number;
  dirtyRuns: number;
  tlsProtocols: string[];
  churnWrites: number;
  churnSwaps: number;
  churnCompileMs: number;
  maxMs: number;
}

export function summarize(records: readonly RunRecord[], order: readonly string[]): CaseSummary[] {
  const byCase = new Map<string, RunRecord[]>();
  for (const r of records) {
    let l = byCase.get(r.case);
    if (!l) byCase.set(r.case, (l = []));
    l.push(r);
  }
  const ids = [...order.filter((c) => byCase.has(c)), ...[...byCase.keys()].filter((c) => !order.includes(c))];
  const out: CaseSummary[] = [];
  for (const id of ids) {
    const all = byCase.get(id)!;
    const ok = all.filter((r) => !r.unavailable && r.wrk);
    const first = all[0]!;
    const w = (f: (x: WrkResult) => number): number[] => ok.map((r) => f(r.wrk!));
    const rps = w((x) => x.rps);
    const refRuns = first.ref ? (byCase.get(first.ref) ?? []).filter((r) => !r.unavailable && r.wrk) : [];
    const ratios = (f: (r: RunRecord) => number): number => {
      const xs: number[] = [];
      for (const r of ok) {
        const ref = refRuns.find((x) => x.round === r.round);
        if (ref) xs.push(f(r) / f(ref));
      }
      return median(xs);
    };
    const sumW = (f: (x: WrkResult) => number): number => ok.reduce((n, r) => n + f(r.wrk!), 0);
    out.push({
      case: id,
      group: first.group,
      proxy: first.proxy,
      table: first.table,
      conns: first.conns,
      scheme: first.scheme,
      runs: ok.length,
      unavailable: ok.length === 0 ? (all.find((r) => r.unavailable)?.unavailable ?? 'no successful run') : null,
      rps: median(rps),
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
      p50Ms: median(w((x) => x.p50Us)) / 1000,
      p99Ms: median(w((x) => x.p99Us)) / 1000,
      usPerReq: median(ok.map((r) => r.proxyUsPerReq ?? NaN)),
      rssMiB: median(ok.map((r) => (r.rssPeakKb ?? NaN) / 1024)),
      non2xx: sumW((x) => x.non2xx ?? x.errStatus),
      socket: sumW(socketErrors),
      timeouts: sumW((x) => x.errTimeout),
      failed: sumW(failedRequests),
      rpsRatio: first.ref && first.ref !== id ? ratios((r) => r.wrk!.rps) : NaN,
      cpuRatio: first.ref && first.ref !== id ? ratios((r) => r.proxyUsPerReq ?? NaN) : NaN,
      dirtyRuns: ok.filter((r) => !r.clean).length,
      tlsProtocols: [...new Set(ok.map((r) => r.tlsProtocol).filter((p): p is string => typeof p === 'string'))],
      churnWrites: median(ok.map((r) => r.churn?.writes ?? NaN)),
      churnSwaps: median(ok.map((r) => r.churn?.tableSwaps ?? NaN)),
      churnCompileMs: median(ok.map((r) => r.churn?.compileMeanMs ?? NaN)),
      maxMs: Math.max(...ok.map((r) => r.wrk!.maxUs / 1000)),
    });
  }
  return out;
}

export const GROUP_TITLES: Record<string, string> = {
  c64: 'c64 plain',
  tls: 'c64 TLS 1.3',
  c1000: 'c1000 plain',
  '1m': '1 MiB body, c64',
  hosts10: '10 hosts, c64',
  hosts10k: '10,000 hosts, c64',
  churn: 'route change every 100 ms, c64',
  workers: 'sluice workers, c64',
};

/** The one comparison table (markdown). */
export function renderTable(rows: readonly CaseSummary[]): string {
  const L: string[] = [];
  L.push('| case | proxy | req/s | p50 / p99 ms | CPU µs/req | RSS MiB | failed: non-2xx / socket / timeout | % of nginx req/s | CPU × nginx |');
  L.push('|---|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) {
    const title = GROUP_TITLES[r.group] ?? r.group;
    if (r.unavailable) {
      L.push(`| ${title} | ${r.proxy} | not available: ${r.unavailable.replace(/\|/g, '/')} | | | | | | |`);
      continue;
    }
    const dirty = r.dirtyRuns > 0 ? ` (${r.dirtyRuns} noisy)` : '';
    const failed = `${fmtInt(r.non2xx)} / ${fmtInt(r.socket)} / ${fmtInt(r.timeouts)}`;
    L.push(
      `| ${title} | ${r.proxy} | ${fmtInt(r.rps)}${dirty} | ${fmtMs(r.p50Ms)} / ${fmtMs(r.p99Ms)} | ${fmtFixed(r.usPerReq, 1)} | ${fmtFixed(r.rssMiB, 1)} | ${r.failed > 0 ? `**${failed}**` : failed} | ${fmtPct(r.rpsRatio)} | ${Number.isFinite(r.cpuRatio) ? `${r.cpuRatio.toFixed(2)}×` : '–'} |`,
    );
  }
  return L.join('\n') + '\n';
}

/** Extra lines under the table: routing-cost comparison, route-change facts, TLS versions. */
export function renderNotes(rows: readonly CaseSummary[], records: readonly RunRecord[] = []): string {
  const L: string[] = [];
  const shared = records.filter((r) => typeof r.proxyOnWrkCpuPct === 'number' && (r.proxyOnWrkCpuPct as number) > 30);
  if (shared.length > 0) {
    L.push(
      `- Runs in which a proxy process sat on wrk's core in > 30% of samples (unpinned proxies; such runs are slower for single-process proxies): ${shared
        .map((r) => `${r.case} #${r.round} (${Math.round(r.proxyOnWrkCpuPct as number)}%)`)
        .join(', ')}.`,
    );
  }
  const by = new Map(rows.map((r) => [r.case, r]));
  for (const r of rows.filter((x) => x.group === 'hosts10k' && !x.unavailable)) {
    const small = by.get(`hosts10/${r.proxy}`);
    if (!small || small.unavailable) continue;
    L.push(
      `- Routing cost, ${r.proxy}: 10,000 vs 10 hosts: CPU ${fmtFixed(small.usPerReq, 1)} → ${fmtFixed(r.usPerReq, 1)} µs/req (${fmtPct(r.usPerReq / small.usPerReq)}), p50 ${fmtMs(small.p50Ms)} → ${fmtMs(r.p50Ms)} ms, RSS ${fmtFixed(small.rssMiB, 1)} → ${fmtFixed(r.rssMiB, 1)} MiB.`,
    );
  }
  for (const r of rows.filter((x) => x.group === 'churn' && !x.unavailable)) {
    L.push(
      `- Route change, ${r.proxy}: ${fmtInt(r.churnWrites)} changes per run (${r.proxy.startsWith('nginx') ? 'config rewrite + reload (SIGHUP), as ingress-nginx does for an Ingress change' : `manifest rewrites; ${fmtInt(r.churnSwaps)} route-table swaps, mean compile ${fmtFixed(r.churnCompileMs, 0)} ms`}), p99 ${fmtMs(r.p99Ms)} ms, slowest request ${fmtMs(r.maxMs)} ms; failed requests over ${r.runs} runs: ${r.failed} ${r.proxy.startsWith('sluice') ? (r.failed === 0 ? '(OK)' : '(**FAIL: must be 0**)') : '(for comparison: what reloads cost)'}.`,
    );
  }
  for (const r of rows.filter((x) => x.scheme === 'https' && !x.unavailable)) {
    if (r.tlsProtocols.length > 0 && !(r.tlsProtocols.length === 1 && r.tlsProtocols[0] === 'TLSv1.3')) {
      L.push(`- ${r.case}: negotiated ${r.tlsProtocols.join(', ')} (expected TLSv1.3).`);
    }
  }
  return L.join('\n') + (L.length ? '\n' : '');
}
