// Running wrk and reading its output. wrk prints its usual text report; the Lua scripts in
// bench/wrk/ add one line "WRKJSON {...}". parseWrkOutput prefers that line and falls back to
// the text report (for instance when wrk ran without a script), so both are unit-tested.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  bytes: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  errConnect: number;
  errRead: number;
  errWrite: number;
  /** HTTP status >= 400 (wrk's own class). */
  errStatus: number;
  errTimeout: number;
  /** Responses with a status outside 2xx, when the status-counting script ran; else null. */
  non2xx: number | null;
}

/** Socket errors (connect + read + write) of a run. */
export function socketErrors(w: WrkResult): number {
  return w.errConnect + w.errRead + w.errWrite;
}

/** Failed requests: non-2xx responses (or wrk's >= 400 count) + socket errors + timeouts. */
export function failedRequests(w: WrkResult): number {
  return (w.non2xx ?? w.errStatus) + socketErrors(w) + w.errTimeout;
}

const UNIT_US: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };

/** "1.23ms" → 1230 (microseconds); NaN if not a duration. */
export function parseDurationUs(s: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(s.trim());
  return m ? Number(m[1]) * UNIT_US[m[2]!]! : NaN;
}

const SIZE: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** "12.34MB" → bytes (wrk uses binary units). */
export function parseSizeBytes(s: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)$/.exec(s.trim());
  return m ? Number(m[1]) * SIZE[m[2]!]! : NaN;
}

function fromJson(line: string): WrkResult | null {
  let j: Record<string, number>;
  try {
    j = JSON.parse(line) as Record<string, number>;
  } catch {
    return null;
  }
  const n = (k: string): number => (typeof j[k] === 'number' ? j[k]! : NaN);
  const durationS = n('duration_s');
  return {
    requests: n('requests'),
    durationS,
    rps: durationS > 0 ? n('requests') / durationS : NaN,
    bytes: n('bytes'),
    p50Us: n('p50_us'),
    p90Us: n('p90_us'),
    p99Us: n('p99_us'),
    p999Us: n('p999_us'),
    maxUs: n('max_us'),
    errConnect: n('err_connect'),
    errRead: n('err_read'),
    errWrite: n('err_write'),
    errStatus: n('err_status'),
    errTimeout: n('err_timeout'),
    non2xx: typeof j.non2xx === 'number' ? j.non2xx : null,
  };
}

/** wrk's plain text report (run with --latency). */
function fromText(out: string): WrkResult | null {
  const m = /(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read/.exec(out);
  if (!m) return null;
  const requests = Number(m[1]);
  const durationS = parseDurationUs(m[2]!) / 1e6;
  const lat = (p: string): number => {
    const r = new RegExp(`^\\s*${p.replace('.', '\\.')}%\\s+([\\d.]+\\w+)\\s*$`, 'm').exec(out);
    return r ? parseDurationUs(r[1]!) : NaN;
  };
  const max = /^\s*Latency\s+\S+\s+\S+\s+([\d.]+\w+)/m.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    requests,
    durationS,
    rps: durationS > 0 ? requests / durationS : NaN,
    bytes: parseSizeBytes(m[3]!),
    p50Us: lat('50'),
    p90Us: lat('90'),
    p99Us: lat('99'),
    p999Us: NaN,
    maxUs: max ? parseDurationUs(max[1]!) : NaN,
    errConnect: sock ? Number(sock[1]) : 0,
    errRead: sock ? Number(sock[2]) : 0,
    errWrite: sock ? Number(sock[3]) : 0,
    errTimeout: sock ? Number(sock[4]) : 0,
    errStatus: non ? Number(non[1]) : 0,
    non2xx: null,
  };
}

/** Parses wrk's stdout: the WRKJSON line when present, else the text report; null if neither. */
export function parseWrkOutput(out: string): WrkResult | null {
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (line) {
    const r = fromJson(line.slice('WRKJSON '.length));
    if (r) return r;
  }
  return fromText(out);
}

export interface WrkRun {
  url: string;
  connections: number;
  durationS: number;
  /** Extra request headers, e.g. ["Host: app-0500.bench.test"]. */
  headers?: string[];
  /** Count non-2xx responses (slower for wrk; see wrk/report-status.lua). */
  countStatus?: boolean;
  /** CPU list for taskset (wrk -t1 pinned), or null for unpinned. */
  cpu: string | null;
  timeoutS?: number;
}

export const WRK_DIR = fileURLToPath(new URL('../wrk/', import.meta.url));

export function wrkArgs(r: WrkRun): string[] {
  const args = ['-t1', `-c${r.connections}`, `-d${r.durationS}s`, '--timeout', `${r.timeoutS ?? 5}s`, '--latency'];
  args.push('-s', `${WRK_DIR}${r.countStatus ? 'report-status.lua' : 'report.lua'}`);
  for (const h of r.headers ?? []) args.push('-H', h);
  args.push(r.url);
  return args;
}

/** Runs wrk to completion; resolves with its stdout (+stderr) and parsed result. */
export function runWrk(r: WrkRun): Promise<{ output: string; result: WrkResult | null; code: number | null }> {
  const args = wrkArgs(r);
  const [cmd, argv] = r.cpu === null ? ['wrk', args] : ['taskset', ['-c', r.cpu, 'wrk', ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ output: out, result: parseWrkOutput(out), code }));
  });
}
