// /proc parsing (pure) and readers. CPU accounting follows bench-reference/run-baseline.sh:
// utime+stime from /proc/PID/stat, summed over a process tree; machine busy time from the
// aggregate "cpu" line of /proc/stat (busy = user+nice+system+irq+softirq; idle, iowait and
// steal are not busy). All times are in clock ticks (USER_HZ, almost always 100).

import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Ticks this process ran in user and kernel mode. */
  utime: number;
  stime: number;
  /** Ticks of children this process has waited for (reaped). */
  cutime: number;
  cstime: number;
  /** CPU the process (its main thread) last ran on; -1 if unknown. */
  processor: number;
}

/** Parses the text of /proc/PID/stat. comm may contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // Fields after ") ": state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime(14) stime(15) cutime(16) cstime(17) ...
  const f = text.slice(close + 2).trim().split(/\s+/);
  if (f.length < 15) return null;
  const num = (i: number): number => Number(f[i]);
  const r: ProcStat = { pid, comm, state: f[0]!, ppid: num(1), utime: num(11), stime: num(12), cutime: num(13), cstime: num(14), processor: f.length > 36 ? num(36) : -1 };
  if (![r.pid, r.ppid, r.utime, r.stime, r.cutime, r.cstime].every(Number.isFinite)) return null;
  return r;
}

/**
 * CPU ticks a process tree has used so far: each process's own utime+stime plus the times of
 * children it has reaped. The difference of two such sums over an interval is the CPU the tree
 * used in it, including processes that started and/or exited in between (as long as a member of
 * the tree reaped them, which is what a master process does).
 */
export function treeTicks(procs: readonly ProcStat[]): number {
  let t = 0;
  for (const p of procs) t += p.utime + p.stime + p.cutime + p.cstime;
  return t;
}

/** The pids of root and all its descendants, given every process's parent. */
export function descendants(root: number, parentOf: ReadonlyMap<number, number>): number[] {
  const kids = new Map<number, number[]>();
  for (const [pid, ppid] of parentOf) {
    let l = kids.get(ppid);
    if (!l) kids.set(ppid, (l = []));
    l.push(pid);
  }
  if (!parentOf.has(root)) return [];
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const p = todo.pop()!;
    out.push(p);
    for (const c of kids.get(p) ?? []) todo.push(c);
  }
  return out.sort((a, b) => a - b);
}

export interface SystemTicks {
  busy: number;
  total: number;
  steal: number;
}

/** Aggregate "cpu" line of /proc/stat. */
export function parseSystemStat(text: string): SystemTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat: no aggregate cpu line');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq;
  return { busy, total: busy + idle + iowait + steal, steal };
}

/**
 * Percent of ONE core (so a 2-core machine is 0..200) that `ticks` of CPU time over the
 * interval a→b amount to. The interval length is taken from the machine's total ticks.
 */
export function pctOfCore(ticks: number, a: SystemTicks, b: SystemTicks, ncpu: number): number {
  const dt = b.total - a.total;
  if (dt <= 0) return NaN;
  return (ticks / dt) * 100 * ncpu;
}

/** Machine busy and steal between two samples, in percent of one core (0..100·ncpu). */
export function machineBusy(a: SystemTicks, b: SystemTicks, ncpu: number): { busyPct: number; stealPct: number } {
  return { busyPct: pctOfCore(b.busy - a.busy, a, b, ncpu), stealPct: pctOfCore(b.steal - a.steal, a, b, ncpu) };
}

/** A field in kB from /proc/PID/status or smaps_rollup ("VmRSS:    1234 kB"); 0 if absent. */
export function parseKbField(text: string, field: string): number {
  const re = new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, 'm');
  const m = re.exec(text);
  return m ? Number(m[1]) : 0;
}

// ---------------------------------------------------------------- readers (I/O)

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null;
  }
}

export function readProcStat(pid: number | 'self'): ProcStat | null {
  const t = readText(`/proc/${pid}/stat`);
  return t === null ? null : parseProcStat(t);
}

/** Every process's parent (one scan of /proc; there is no /proc/PID/task/TID/children here). */
export function readParents(): Map<number, number> {
  const m = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const s = readProcStat(Number(name));
    if (s) m.set(s.pid, s.ppid);
  }
  return m;
}

/** Every process's stat (one scan of /proc). */
export function readAllStats(): Map<number, ProcStat> {
  const m = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const s = readProcStat(Number(name));
    if (s) m.set(s.pid, s);
  }
  return m;
}

/** The processes that used the most CPU ticks between two scans (own utime+stime only). */
export function topDeltas(a: ReadonlyMap<number, ProcStat>, b: ReadonlyMap<number, ProcStat>, n: number): { pid: number; comm: string; ticks: number }[] {
  const out: { pid: number; comm: string; ticks: number }[] = [];
  for (const [pid, s] of b) {
    const prev = a.get(pid);
    const ticks = s.utime + s.stime - (prev ? prev.utime + prev.stime : 0);
    if (ticks > 0) out.push({ pid, comm: s.comm, ticks });
  }
  return out.sort((x, y) => y.ticks - x.ticks).slice(0, n);
}

/**
 * Pids of a tree (root included). Zombies are left out unless `withZombies`: for CPU sums they
 * must stay in, because an exited child's time reaches its parent's cutime only once reaped.
 */
export function treePids(root: number, withZombies = false): number[] {
  const all = descendants(root, readParents());
  if (withZombies) return all;
  return all.filter((p) => {
    const s = readProcStat(p);
    return s !== null && s.state !== 'Z' && s.state !== 'X';
  });
}

export function readTreeTicks(pids: readonly number[]): number {
  const ps: ProcStat[] = [];
  for (const p of pids) {
    const s = readProcStat(p);
    if (s) ps.push(s);
  }
  return treeTicks(ps);
}

export function readSystemTicks(): SystemTicks {
  return parseSystemStat(readFileSync('/proc/stat', 'latin1'));
}

/** Summed RSS and PSS (kB) of the given processes. */
export function readMemKb(pids: readonly number[]): { rssKb: number; pssKb: number } {
  let rssKb = 0;
  let pssKb = 0;
  for (const p of pids) {
    const st = readText(`/proc/${p}/status`);
    if (st !== null) rssKb += parseKbField(st, 'VmRSS');
    const sm = readText(`/proc/${p}/smaps_rollup`);
    if (sm !== null) pssKb += parseKbField(sm, 'Pss');
  }
  return { rssKb, pssKb };
}
