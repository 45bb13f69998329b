// Starting the proxies under test: nginx and HAProxy as unprivileged foreground processes with
// generated configs in the run directory, and sluice from this repository (bin/sluice.js).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nginxChurnInclude, renderHaproxy, renderHaproxyMap, renderNginx, targetHost, type RouteSpec } from './routes.ts';
import { CONFIG_NAME, CONFIG_NS, TLS_SECRET, writeSluiceManifests, type WrittenManifests } from './k8s-objects.ts';
import { nofileHardLimit } from './machine.ts';
import { httpGet, tcpOpen, waitHttp, waitPortsFree } from './net.ts';
import { sleep, spawnTracked, type Tracked } from './procs.ts';

export type ProxyKind = 'nginx' | 'haproxy' | 'sluice';

export interface ProxySpec {
  kind: ProxyKind;
  /** nginx worker_processes, HAProxy nbthread, sluice --workers. */
  workers: number;
  /** nginx only: proxy_buffer_size ("4k" default). */
  bufSize?: string;
}

export function proxyLabel(p: ProxySpec): string {
  switch (p.kind) {
    case 'nginx':
      return `nginx-${p.workers}w${p.bufSize && p.bufSize !== '4k' ? `-buf${p.bufSize}` : ''}`;
    case 'haproxy':
      return `haproxy-${p.workers}t`;
    case 'sluice':
      return `sluice-${p.workers}w`;
  }
}

export interface BenchEnv {
  runDir: string;
  repoRoot: string;
  nodeBin: string;
  asRoot: boolean;
  httpPort: number;
  httpsPort: number;
  adminPort: number;
  backendPorts: [number, number];
  certFile: string;
  keyFile: string;
  combinedPem: string;
  certPem: string;
  keyPem: string;
  /** sluice ConfigMap data. */
  sluiceConfig: Record<string, string>;
  /** taskset CPU list for the proxies (null: unpinned, the default arrangement). */
  proxyCpus: string | null;
}

export interface RunningProxy {
  spec: ProxySpec;
  tracked: Tracked;
  /** sluice: admin port for /metrics; else null. */
  adminPort: number | null;
  manifests: WrittenManifests | null;
  /** Seconds from spawn until the target route answered 2xx. */
  startS: number;
  /** Facts found at start (sluice: TLS listener present, process count). */
  notes: Record<string, unknown>;
}

const rendered = new Map<string, string>();
const manifestDirs = new Map<string, WrittenManifests>();

function renderOnce(key: string, file: string, make: () => string): string {
  if (rendered.get(key) !== file) {
    writeFileSync(file, make());
    rendered.set(key, file);
  }
  return file;
}

/** Manifests for a table (written once per table and reused; the target file is reset). */
export function sluiceManifests(env: BenchEnv, t: RouteSpec): WrittenManifests {
  let m = manifestDirs.get(t.name);
  if (!m) {
    m = writeSluiceManifests(join(env.runDir, 'manifests', t.name), t, {
      backendPorts: env.backendPorts,
      certPem: env.certPem,
      keyPem: env.keyPem,
      config: env.sluiceConfig,
    });
    manifestDirs.set(t.name, m);
  }
  return m;
}

export function sluiceAvailable(env: BenchEnv): boolean {
  return existsSync(join(env.repoRoot, 'bin', 'sluice.js'));
}

export function sluiceArgs(env: BenchEnv, manifestsDir: string, workers: number): string[] {
  return [
    join(env.repoRoot, 'bin', 'sluice.js'),
    '--manifests', manifestsDir,
    '--http-port', String(env.httpPort),
    '--https-port', String(env.httpsPort),
    '--admin-port', String(env.adminPort),
    '--bind-address', '127.0.0.1',
    '--workers', String(workers),
    '--log-level', 'warn',
    '--configmap', `${CONFIG_NS}/${CONFIG_NAME}`,
    '--default-ssl-certificate', `${CONFIG_NS}/${TLS_SECRET}`,
  ];
}

export class StartError extends Error {}

/** The file the nginx route-change case rewrites before each reload. */
export function nginxChurnIncludeFile(env: BenchEnv): string {
  return join(env.runDir, 'nginx-churn.inc');
}

export async function startProxy(env: BenchEnv, spec: ProxySpec, t: RouteSpec, startTimeoutMs = 180_000): Promise<RunningProxy> {
  const ports = spec.kind === 'sluice' ? [env.httpPort, env.httpsPort, env.adminPort] : [env.httpPort, env.httpsPort];
  if (!(await waitPortsFree(ports))) throw new StartError(`ports ${ports.join(', ')} still busy`);
  const label = proxyLabel(spec);
  const logFile = join(env.runDir, 'logs', `${label}.log`);
  mkdirSync(join(env.runDir, 'tmp'), { recursive: true });
  let tracked: Tracked;
  let manifests: WrittenManifests | null = null;
  const t0 = performance.now();
  switch (spec.kind) {
    case 'nginx': {
      const buf = spec.bufSize ?? '4k';
      const file = join(env.runDir, `proxy-nginx-${t.name}-${spec.workers}w-${buf}.conf`);
      const targetInclude = t.name.endsWith('-churn') ? nginxChurnIncludeFile(env) : undefined;
      if (targetInclude) writeFileSync(targetInclude, nginxChurnInclude(0));
      renderOnce(`nginx:${t.name}:${spec.workers}:${buf}`, file, () =>
        renderNginx(t, {
          runDir: env.runDir,
          workers: spec.workers,
          bufSize: buf,
          httpPort: env.httpPort,
          httpsPort: env.httpsPort,
          backendPorts: env.backendPorts,
          certFile: env.certFile,
          keyFile: env.keyFile,
          runningAsRoot: env.asRoot,
          nofile: nofileHardLimit(),
          ...(targetInclude ? { targetInclude } : {}),
        }),
      );
      tracked = spawnTracked(label, 'nginx', ['-p', `${env.runDir}/`, '-c', file, '-e', join(env.runDir, 'logs', 'proxy-nginx.err'), '-g', 'daemon off;'], { logFile, cpus: env.proxyCpus });
      break;
    }
    case 'haproxy': {
      const map = join(env.runDir, `haproxy-${t.name}.map`);
      renderOnce(`hamap:${t.name}`, map, () => renderHaproxyMap(t));
      const cfg = join(env.runDir, `haproxy-${t.name}-${spec.workers}t.cfg`);
      renderOnce(`ha:${t.name}:${spec.workers}`, cfg, () =>
        renderHaproxy({ threads: spec.workers, httpPort: env.httpPort, httpsPort: env.httpsPort, backendPorts: env.backendPorts, combinedPem: env.combinedPem, mapFile: map }),
      );
      tracked = spawnTracked(label, 'haproxy', ['-db', '-f', cfg], { logFile, cpus: env.proxyCpus });
      break;
    }
    case 'sluice': {
      if (!sluiceAvailable(env)) throw new StartError('bin/sluice.js is not in this checkout (merge main)');
      manifests = sluiceManifests(env, t);
      tracked = spawnTracked(label, env.nodeBin, sluiceArgs(env, manifests.dir, spec.workers), { logFile, cwd: env.repoRoot, cpus: env.proxyCpus });
      const ok = await Promise.race([
        waitHttp({ port: env.adminPort, path: '/healthz' }, startTimeoutMs, 25),
        tracked.exited.then(() => false),
      ]);
      if (!ok) {
        await tracked.stop();
        throw new StartError(`sluice did not become healthy on :${env.adminPort}/healthz (see ${logFile})`);
      }
      break;
    }
  }
  // Ready means: the target route answers 2xx over plain HTTP.
  const host = targetHost(t);
  const ok = await Promise.race([
    waitHttp({ port: env.httpPort, host, path: t.targetPath }, startTimeoutMs, 25),
    tracked.exited.then(() => false),
  ]);
  if (!ok) {
    const why = tracked.hasExited() ? 'exited' : 'did not route the target host';
    await tracked.stop();
    throw new StartError(`${label} ${why} (see ${logFile})`);
  }
  const startS = (performance.now() - t0) / 1000;
  const notes: Record<string, unknown> = {};
  if (spec.kind === 'sluice') {
    await sleep(500); // let worker processes (if any) come up before counting them
    notes.processes = tracked.pids().length;
    notes.tlsListener = await tcpOpen(env.httpsPort);
  }
  return { spec, tracked, adminPort: spec.kind === 'sluice' ? env.adminPort : null, manifests, startS, notes };
}

/** Prometheus sample values from sluice's /metrics (each summed over label sets; NaN if absent). */
export async function scrapeMetrics(adminPort: number, names: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let text = '';
  try {
    text = (await httpGet({ port: adminPort, path: '/metrics', timeoutMs: 5000 })).body.toString('utf8');
  } catch {
    /* leave NaN */
  }
  for (const n of names) out[n] = sumMetric(text, n);
  return out;
}

/** Sum of all samples of metric `name` in Prometheus text format; NaN when absent. */
export function sumMetric(text: string, name: string): number {
  let total = NaN;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) total = (Number.isFinite(total) ? total : 0) + v;
  }
  return total;
}
