// Starts the real sluice binary for end-to-end tests: ephemeral ports, JSON logs captured, and
// helpers to wait for log lines. Always stop() it (tests use t.after).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'sluice.js');

export type LogRecord = Record<string, unknown> & { level: string; msg: string };

export interface Sluice {
  proc: ChildProcess;
  httpPort: number;
  httpsPort: number;
  adminPort: number;
  logs: LogRecord[];
  stderr: string;
  waitForLog(pred: (r: LogRecord) => boolean, timeoutMs?: number, from?: number): Promise<LogRecord>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
  admin(path: string): Promise<{ status: number; body: string }>;
}

export interface StartOptions {
  manifests: string[];
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Wait for "ready" (default true). */
  waitReady?: boolean;
}

export async function startSluice(o: StartOptions): Promise<Sluice> {
  const args = [BIN, '--http-port', '0', '--https-port', '0', '--admin-port', '0', '--bind-address', '127.0.0.1', '--workers', '1', '--log-level', 'debug'];
  for (const m of o.manifests) args.push('--manifests', m);
  args.push(...(o.args ?? []));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
  const logs: LogRecord[] = [];
  const waiters: { pred: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }[] = [];
  let buf = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let rec: LogRecord;
      try {
        rec = JSON.parse(line) as LogRecord;
      } catch {
        rec = { level: 'raw', msg: line };
      }
      logs.push(rec);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.pred(rec)) {
          waiters[i]!.resolve(rec);
          waiters.splice(i, 1);
        }
      }
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

  const s: Sluice = {
    proc,
    httpPort: 0,
    httpsPort: 0,
    adminPort: 0,
    logs,
    get stderr() {
      return stderr;
    },
    waitForLog(pred, timeoutMs = 10_000, from = 0) {
      for (let i = from; i < logs.length; i++) if (pred(logs[i]!)) return Promise.resolve(logs[i]!);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (r: LogRecord) => { clearTimeout(timer); resolve(r); } };
        const timer = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`timed out waiting for a log line; last lines:\n${logs.slice(-15).map((l) => JSON.stringify(l)).join('\n')}\nstderr: ${stderr}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    exited,
    async admin(path: string) {
      const res = await fetch(`http://127.0.0.1:${s.adminPort}${path}`);
      return { status: res.status, body: await res.text() };
    },
  };
  const failed = exited.then((code) => {
    throw new Error(`sluice exited with ${code} before it was ready:\n${stderr}\n${logs.map((l) => JSON.stringify(l)).join('\n')}`);
  });
  failed.catch(() => {});
  try {
    // Generous: a loaded CI machine can take seconds to start the primary and its workers.
    const http = await Promise.race([s.waitForLog((r) => r.msg === 'listening' && r.protocol === 'http', 60_000), failed]);
    s.httpPort = http.port as number;
    const admin = await Promise.race([s.waitForLog((r) => r.msg === 'listening' && r.protocol === 'admin', 60_000), failed]);
    s.adminPort = admin.port as number;
    const https = logs.find((r) => r.msg === 'listening' && r.protocol === 'https');
    if (https) s.httpsPort = https.port as number;
    if (o.waitReady !== false) await Promise.race([s.waitForLog((r) => r.msg === 'ready', 60_000), failed]);
  } catch (err) {
    // Never leave a child behind: its pipes would keep the test process alive forever.
    proc.kill('SIGKILL');
    throw err;
  }
  return s;
}

/** A temporary manifest directory whose files can be rewritten atomically. */
export class ManifestDir {
  readonly path: string;
  constructor(prefix = 'sluice-test-') {
    this.path = mkdtempSync(join(tmpdir(), prefix));
  }
  /** Writes (atomically, by rename) a file of YAML documents or raw text. */
  write(name: string, content: string | object[]): void {
    const text = typeof content === 'string' ? content : content.map((o) => JSON.stringify(o)).join('\n---\n') + '\n';
    const tmp = join(this.path, `.${name}.tmp`);
    const dir = join(this.path, name, '..');
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, join(this.path, name));
  }
  remove(name: string): void {
    rmSync(join(this.path, name), { force: true });
  }
  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
