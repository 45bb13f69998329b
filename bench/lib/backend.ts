// The upstream "application": one nginx (2 workers) on two loopback ports answering "ok\n",
// with /1m serving 1 MiB of random bytes via sendfile, and stub_status on a third port whose
// "accepts" counter tells how many upstream connections a proxy opened (bench-reference method).

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nofileHardLimit } from './machine.ts';
import { httpGet, waitHttp } from './net.ts';
import { spawnTracked, type Tracked } from './procs.ts';

export interface Backend {
  tracked: Tracked;
  ports: [number, number];
  statusPort: number;
  oneMiB: Buffer;
}

export function renderBackendNginx(runDir: string, ports: readonly number[], statusPort: number, workers: number, asRoot: boolean): string {
  return [
    asRoot ? 'user root;' : '',
    `worker_processes ${workers};`,
    `worker_rlimit_nofile ${Math.min(65536, nofileHardLimit())};`,
    `pid ${runDir}/backend.pid;`,
    `error_log ${runDir}/logs/backend.err warn;`,
    'events { worker_connections 16384; }',
    'http {',
    '    access_log off;',
    '    default_type text/plain;',
    '    sendfile on;',
    '    tcp_nopush on;',
    '    keepalive_requests 10000000;',
    '    keepalive_timeout 75s;',
    `    client_body_temp_path ${runDir}/tmp/backend-body;`,
    `    proxy_temp_path ${runDir}/tmp/backend-proxy; fastcgi_temp_path ${runDir}/tmp/backend-fcgi; uwsgi_temp_path ${runDir}/tmp/backend-uwsgi; scgi_temp_path ${runDir}/tmp/backend-scgi;`,
    '    server {',
    ...ports.map((p) => `        listen 127.0.0.1:${p} reuseport backlog=4096;`),
    `        location = /1m { root ${runDir}/www; }`,
    '        location / { return 200 "ok\\n"; }',
    '    }',
    '    server {',
    `        listen 127.0.0.1:${statusPort};`,
    '        location / { stub_status; }',
    '    }',
    '}',
    '',
  ].join('\n');
}

export async function startBackend(runDir: string, ports: [number, number], statusPort: number, asRoot: boolean, cpus: string | null = null): Promise<Backend> {
  mkdirSync(join(runDir, 'www'), { recursive: true });
  const oneMiB = randomBytes(1 << 20);
  writeFileSync(join(runDir, 'www', '1m'), oneMiB);
  const conf = join(runDir, 'backend-nginx.conf');
  writeFileSync(conf, renderBackendNginx(runDir, ports, statusPort, 2, asRoot));
  const tracked = spawnTracked('backend-nginx', 'nginx', ['-p', `${runDir}/`, '-c', conf, '-e', join(runDir, 'logs', 'backend.err'), '-g', 'daemon off;'], {
    logFile: join(runDir, 'logs', 'backend.out'),
    cpus,
  });
  for (const p of [...ports, statusPort]) {
    if (!(await waitHttp({ port: p }, 10_000))) throw new Error(`backend nginx did not answer on 127.0.0.1:${p} (see ${runDir}/logs/backend.err)`);
  }
  return { tracked, ports, statusPort, oneMiB };
}

/** stub_status "accepts" (connections the backend has accepted so far), or NaN. */
export async function backendAccepts(b: Backend): Promise<number> {
  try {
    const r = await httpGet({ port: b.statusPort, timeoutMs: 2000 });
    return parseStubStatusAccepts(r.body.toString('latin1'));
  } catch {
    return NaN;
  }
}

/** nginx stub_status text → accepts counter (3rd line, 1st number). */
export function parseStubStatusAccepts(text: string): number {
  const line = text.split('\n')[2];
  const n = line ? Number(line.trim().split(/\s+/)[0]) : NaN;
  return Number.isFinite(n) ? n : NaN;
}
