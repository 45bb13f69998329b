// Machine description, tool checks and the idle-machine guard (bench-reference method: before
// each run wait until the machine is nearly idle; redo a run that other load contaminated).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { machineBusy, pctOfCore, readAllStats, readSystemTicks, topDeltas } from './procstat.ts';
import { sleep } from './procs.ts';

export const NCPU = os.availableParallelism();
export const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Hard limit of open files for processes started from here (nginx may not raise it further). */
export function nofileHardLimit(): number {
  try {
    const m = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const n = m ? Number(m[1]) : NaN;
    return Number.isFinite(n) ? n : 65536;
  } catch {
    return 65536;
  }
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return 'not found';
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? '?';
}

export function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Missing required tools, with install hints; empty when all are present. */
export function missingTools(tools: readonly string[]): string[] {
  return tools.filter((t) => !which(t));
}

export function describeMachine(nodeBin: string): Record<string, string> {
  let cpuModel = '?';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '?';
  } catch {
    /* not Linux */
  }
  return {
    date: new Date().toISOString(),
    cpu: cpuModel,
    cores: String(NCPU),
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node: firstLine(nodeBin, ['--version']),
    nginx: firstLine('nginx', ['-v']).replace(/^nginx version: /, ''),
    haproxy: firstLine('haproxy', ['-v']).replace(/ - https:.*$/, ''),
    wrk: firstLine('wrk', ['-v']).replace(/ Copyright.*$/, ''),
    openssl: firstLine('openssl', ['version']),
    'clock ticks/s': String(HZ),
  };
}

export interface GateResult {
  waitedS: number;
  busyPct: number;
  /** False when the cap was reached with the machine still busy. */
  quiet: boolean;
}

/**
 * Waits until the whole machine is less than `quietPct` busy (percent of one core, so 0..200
 * on 2 cores) over a `sampleMs` window, for at most `maxWaitS`.
 */
export async function waitQuiet(o: { quietPct: number; maxWaitS: number; sampleMs: number; log: (s: string) => void; ours?: () => ReadonlySet<number> }): Promise<GateResult> {
  const start = Date.now();
  let lastLog = 0;
  for (;;) {
    const pa = readAllStats();
    const a = readSystemTicks();
    await sleep(o.sampleMs);
    const b = readSystemTicks();
    const pb = readAllStats();
    const { busyPct } = machineBusy(a, b, NCPU);
    const waitedS = (Date.now() - start) / 1000;
    if (busyPct < o.quietPct) return { waitedS, busyPct, quiet: true };
    if (waitedS >= o.maxWaitS) {
      o.log(`  machine still ${busyPct.toFixed(0)}% busy after ${waitedS.toFixed(0)} s; measuring anyway`);
      return { waitedS, busyPct, quiet: false };
    }
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      o.log(`  waiting for a quiet machine (${busyPct.toFixed(0)}% of ${NCPU * 100}% busy); busiest: ${topDeltas(pa, pb, 4).map((x) => `${x.comm}[${x.pid}${o.ours?.().has(x.pid) ? ', ours' : ''}] ${pctOfCore(x.ticks, a, b, NCPU).toFixed(0)}%`).join(', ')}`);
    }
    await sleep(Math.min(2000, o.sampleMs));
  }
}
