// Child processes the bench starts (backend nginx, proxies): tracked by pid, stopped by pid
// (SIGTERM to the root, then SIGKILL to any of its tree still alive after a grace period), and
// all stopped when the bench exits or is interrupted. Nothing is ever killed by name.

import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readProcStat, treePids } from './procstat.ts';

export interface Tracked {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the root process has exited. */
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  /** Live pids of the process and all its descendants. */
  pids(): number[];
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Tracked>();

export interface SpawnOptions {
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** taskset CPU list to pin the process (and its children) to; unpinned when absent. */
  cpus?: string | null;
}

export function spawnTracked(name: string, cmd: string, args: readonly string[], o: SpawnOptions): Tracked {
  const fd = openSync(o.logFile, 'a');
  // taskset execs the command, so the pid stays the command's.
  const [file, argv] = o.cpus ? ['taskset', ['-c', o.cpus, cmd, ...args]] : [cmd, [...args]];
  const child = spawn(file, argv, { stdio: ['ignore', fd, fd], env: o.env ?? process.env, cwd: o.cwd, detached: false });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, sig) => {
      done = true;
      resolve(code ?? (sig ? -1 : null));
    });
    child.on('error', () => {
      done = true;
      resolve(null);
    });
  });
  const t: Tracked = {
    name,
    pid,
    child,
    exited,
    hasExited: () => done,
    pids: () => (done ? [] : treePids(pid)),
    async stop(graceMs = 10_000) {
      if (done) {
        live.delete(t);
        return;
      }
      const tree = treePids(pid);
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
      await Promise.race([exited, timer]);
      for (const p of tree) {
        const s = readProcStat(p);
        if (s && s.state !== 'Z' && s.state !== 'X') {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      live.delete(t);
    },
  };
  live.add(t);
  return t;
}

/** Synchronous last-resort cleanup (process exit): SIGKILL every tracked tree by pid. */
export function killAllTrackedSync(): void {
  for (const t of live) {
    if (t.hasExited()) continue;
    let tree: number[] = [];
    try {
      tree = treePids(t.pid);
    } catch {
      tree = [t.pid];
    }
    for (const p of tree) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  live.clear();
}

export async function stopAllTracked(): Promise<void> {
  await Promise.all([...live].map((t) => t.stop(5000)));
}

const exitHooks: (() => void)[] = [];
/** Synchronous work to do when the bench exits for any reason (e.g. remove its temp dir). */
export function onExit(fn: () => void): void {
  exitHooks.push(fn);
}

let installed = false;
/** Stops every tracked process on exit, Ctrl-C and SIGTERM. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAllTrackedSync();
    for (const fn of exitHooks) {
      try {
        fn();
      } catch {
        /* best effort */
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: stopping the processes the bench started\n`);
      stopAllTracked().finally(() => process.exit(130));
    });
  }
}

/** Runs a command to completion, capturing output. */
export function runCommand(cmd: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
