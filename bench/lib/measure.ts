// One recorded load run: wrk against a proxy while the proxy's and the backend's CPU (all
// processes of each tree), the proxy's memory, and the whole machine's busy time are sampled.

import { backendAccepts, type Backend } from './backend.ts';
import { HZ, NCPU } from './machine.ts';
import { machineBusy, pctOfCore, readAllStats, readMemKb, readProcStat, readSystemTicks, readTreeTicks, topDeltas, treePids } from './procstat.ts';
import type { Tracked } from './procs.ts';
import { runWrk, type WrkResult, type WrkRun } from './wrk.ts';

export interface Measurement {
  wrk: WrkResult | null;
  wrkOutputTail: string;
  wallS: number;
  /** CPU seconds used by the proxy's processes during the run. */
  proxyCpuS: number;
  /** Proxy CPU per request in µs: proxyCpuS / requests. */
  proxyUsPerReq: number;
  proxyCpuPct: number;
  backendCpuPct: number;
  wrkCpuPct: number;
  benchCpuPct: number;
  machineBusyPct: number;
  /** Busy time not explained by proxy + backend + wrk + this bench process. */
  foreignCpuPct: number;
  stealPct: number;
  rssPeakKb: number;
  pssPeakKb: number;
  proxyProcsMax: number;
  upstreamNewConns: number;
  /**
   * Share of samples (every 0.5 s, per proxy process that ran since the previous sample) that
   * found the process last running on wrk's CPU. The proxies are unpinned; a single-threaded proxy that keeps sharing wrk's core
   * runs slower (see README: placement).
   */
  proxyOnWrkCpuPct: number;
  /** Busiest processes outside proxy, backend, wrk and the bench (to explain foreign CPU). */
  foreignTop: string[];
}

function selfTicks(): { own: number; children: number } {
  const s = readProcStat('self');
  return s ? { own: s.utime + s.stime, children: s.cutime + s.cstime } : { own: NaN, children: NaN };
}

export async function measureRun(proxy: Tracked, backend: Backend, run: WrkRun, sampleMs = 500): Promise<Measurement> {
  const proxyPids0 = treePids(proxy.pid, true);
  const backendPids0 = treePids(backend.tracked.pid, true);
  const acc0 = await backendAccepts(backend);
  const all0 = readAllStats();
  const sys0 = readSystemTicks();
  const p0 = readTreeTicks(proxyPids0);
  const b0 = readTreeTicks(backendPids0);
  const self0 = selfTicks();
  const t0 = performance.now();

  let rssPeakKb = 0;
  let pssPeakKb = 0;
  let procsMax = 0;
  let placed = 0;
  let onWrkCpu = 0;
  const wrkCpu = run.cpu !== null && /^\d+$/.test(run.cpu) ? Number(run.cpu) : -1;
  const lastTicks = new Map<number, number>();
  const sample = (): void => {
    const pids = treePids(proxy.pid);
    for (const p of pids) {
      const st = readProcStat(p);
      if (!st || st.processor < 0) continue;
      // Only processes that ran since the last sample (an idle master does not count).
      const ticks = st.utime + st.stime;
      const prev = lastTicks.get(p);
      lastTicks.set(p, ticks);
      if (prev === undefined || ticks === prev) continue;
      placed++;
      if (st.processor === wrkCpu) onWrkCpu++;
    }
    const m = readMemKb(pids);
    rssPeakKb = Math.max(rssPeakKb, m.rssKb);
    pssPeakKb = Math.max(pssPeakKb, m.pssKb);
    procsMax = Math.max(procsMax, pids.length);
  };
  sample();
  const timer = setInterval(sample, sampleMs);
  let res;
  try {
    res = await runWrk(run);
  } finally {
    clearInterval(timer);
  }
  sample();
  const wallS = (performance.now() - t0) / 1000;
  const sys1 = readSystemTicks();
  const proxyPids1 = treePids(proxy.pid, true);
  const p1 = readTreeTicks(proxyPids1);
  const b1 = readTreeTicks(treePids(backend.tracked.pid, true));
  const self1 = selfTicks();
  const all1 = readAllStats();
  const acc1 = await backendAccepts(backend);
  const mine = new Set([...proxyPids0, ...proxyPids1, ...backendPids0, process.pid]);
  const foreignTop = topDeltas(all0, all1, 8)
    .filter((x) => !mine.has(x.pid) && x.comm !== 'wrk')
    .slice(0, 3)
    .map((x) => `${x.comm}[${x.pid}] ${pctOfCore(x.ticks, sys0, sys1, NCPU).toFixed(1)}%`);

  const proxyTicks = p1 - p0;
  const backendTicks = b1 - b0;
  const wrkTicks = self1.children - self0.children; // wrk is the only child reaped meanwhile
  const benchTicks = self1.own - self0.own;
  const { busyPct, stealPct } = machineBusy(sys0, sys1, NCPU);
  const pct = (ticks: number): number => pctOfCore(ticks, sys0, sys1, NCPU);
  const ours = proxyTicks + backendTicks + wrkTicks + benchTicks;
  const w = res.result;
  const proxyCpuS = proxyTicks / HZ;
  return {
    wrk: w,
    wrkOutputTail: w ? '' : res.output.slice(-2000),
    wallS,
    proxyCpuS,
    proxyUsPerReq: w && w.requests > 0 ? (proxyCpuS * 1e6) / w.requests : NaN,
    proxyCpuPct: pct(proxyTicks),
    backendCpuPct: pct(backendTicks),
    wrkCpuPct: pct(wrkTicks),
    benchCpuPct: pct(benchTicks),
    machineBusyPct: busyPct,
    foreignCpuPct: Math.max(0, busyPct - pct(ours)),
    stealPct,
    rssPeakKb,
    pssPeakKb,
    proxyProcsMax: procsMax,
    // minus 1: the stub_status request itself
    upstreamNewConns: acc1 - acc0 - 1,
    foreignTop,
    proxyOnWrkCpuPct: placed > 0 ? (onWrkCpu / placed) * 100 : NaN,
  };
}
