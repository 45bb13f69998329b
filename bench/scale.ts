// sluice control-plane scale test.
//
//   npm run bench:scale                       # 10k Ingresses, 10k Services + EndpointSlices, 30k Secrets
//   npm run bench:scale -- --ingresses 2000 --secrets 6000 --tls-secrets 1000 --changes 10
//
// 1. Cold start: time from process start to /healthz 200 and to the first request routed through
//    the proxy; CPU used to get there; RSS at ready, its peak during start, and after settling.
// 2. Change propagation: one Ingress is changed (a new Exact path); the bench polls that path
//    through the proxy back to back until it answers 200, and records the time from the change
//    being committed to the first 200. Repeated --changes times; p50 / p99 reported.
//
// The objects come from a ScaleSource. "manifests" (files watched by sluice) works today; the
// fake Kubernetes API server (test/fake-apiserver/) plugs in as another ScaleSource later.

import http from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend } from './lib/backend.ts';
import { configMap, ingressClass, opaqueSecret, writeFileAtomic, type Obj } from './lib/k8s-objects.ts';
import { describeMachine, HZ, missingTools, waitQuiet } from './lib/machine.ts';
import { allocatePorts, httpGet, waitHttp } from './lib/net.ts';
import { installCleanupHandlers, onExit, sleep, spawnTracked, stopAllTracked, type Tracked } from './lib/procs.ts';
import { readMemKb, readTreeTicks, treePids } from './lib/procstat.ts';
import { sumMetric } from './lib/proxies.ts';
import { fmtFixed, fmtInt, median, percentile } from './lib/stats.ts';
import { selfSignedCert } from './lib/x509.ts';
import { toYamlStream } from './lib/yaml.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(BENCH_DIR, '..');

// ---------------------------------------------------------------- options

interface Opts {
  ingresses: number;
  services: number;
  secrets: number;
  tlsSecrets: number;
  namespaces: number;
  changes: number;
  workers: number;
  source: string;
  keep: boolean;
  startTimeoutS: number;
  changeTimeoutS: number;
}

const HELP = `usage: npm run bench:scale -- [options]
  --ingresses N      Ingresses (default 10000; one host and path each)
  --services N       Services, one EndpointSlice each (default 10000)
  --secrets N        Secrets in total (default 30000)
  --tls-secrets N    of which kubernetes.io/tls, used by the first N Ingresses (default 5000)
  --namespaces N     namespaces the objects are spread over (default 100)
  --changes N        Ingress changes to time (default 20)
  --workers N        sluice --workers (default 1)
  --source NAME      where sluice reads objects from: manifests (default) | apiserver
  --start-timeout S  (default 600)   --change-timeout S (default 60)
  --keep             keep the temporary directory`;

function parseOpts(argv: string[]): Opts {
  const o: Opts = { ingresses: 10_000, services: 10_000, secrets: 30_000, tlsSecrets: 5_000, namespaces: 100, changes: 20, workers: 1, source: 'manifests', keep: false, startTimeoutS: 600, changeTimeoutS: 60 };
  const ints: Record<string, keyof Opts> = {
    '--ingresses': 'ingresses', '--services': 'services', '--secrets': 'secrets', '--tls-secrets': 'tlsSecrets', '--namespaces': 'namespaces',
    '--changes': 'changes', '--workers': 'workers', '--start-timeout': 'startTimeoutS', '--change-timeout': 'changeTimeoutS',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (a === '--keep') o.keep = true;
    else if (a === '--source') o.source = argv[++i] ?? '';
    else if (ints[a]) {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a}: not a whole number`);
      (o as unknown as Record<string, number>)[ints[a]] = v;
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (o.tlsSecrets > o.secrets) throw new Error('--tls-secrets is more than --secrets');
  if (o.tlsSecrets > o.ingresses) throw new Error('--tls-secrets is more than --ingresses (each TLS Secret belongs to one Ingress)');
  if (o.ingresses < 1 || o.services < 1 || o.namespaces < 1) throw new Error('need at least one Ingress, Service and namespace');
  return o;
}

// ---------------------------------------------------------------- objects

export interface ScaleObjects {
  /** Objects per namespace (plus "" for cluster-scoped and the controller's own). */
  byNamespace: Map<string, Obj[]>;
  /** The Ingress that the change test rewrites; it is one of the Ingresses, kept out of byNamespace. */
  probe: (gen: number) => Obj;
  probeHost: string;
  counts: Record<string, number>;
}

const CONFIG_NS = 'sluice-system';
const CONFIG_NAME = 'sluice-config';

function generateObjects(o: Opts, backendPorts: readonly number[], log: (s: string) => void): ScaleObjects {
  const byNamespace = new Map<string, Obj[]>();
  const nsOf = (i: number): string => `scale-${String(i % o.namespaces).padStart(3, '0')}`;
  const push = (ns: string, obj: Obj): void => {
    let l = byNamespace.get(ns);
    if (!l) byNamespace.set(ns, (l = []));
    l.push(obj);
  };
  const w = String(Math.max(o.ingresses, o.services, o.secrets) - 1).length;
  const id = (i: number): string => String(i).padStart(w, '0');
  push('', ingressClass());
  push('', configMap(CONFIG_NS, CONFIG_NAME, { 'disable-access-log': 'true', 'keep-alive-requests': '1000000', 'upstream-keepalive-connections': '320' }));

  for (let i = 0; i < o.services; i++) {
    const ns = nsOf(i);
    const name = `svc-${id(i)}`;
    push(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels: { app: name } },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    });
    push(ns, {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `${name}-abcde`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: backendPorts[i % backendPorts.length]!, protocol: 'TCP' }],
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: `${name}-pod`, namespace: ns } }],
    });
  }

  // TLS Secrets: distinct self-signed certificates (RSA-2048 keys from a small pool: key
  // generation is the slow part, and a cluster's certificates rarely share keys, but the
  // controller's work per Secret is the same either way).
  const t0 = performance.now();
  const pool: KeyObject[] = [];
  const poolSize = Math.min(8, Math.max(1, o.tlsSecrets));
  for (let k = 0; k < poolSize && o.tlsSecrets > 0; k++) pool.push(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  const keyPems = pool.map((k) => k.export({ type: 'pkcs8', format: 'pem' }) as string);
  for (let i = 0; i < o.tlsSecrets; i++) {
    const ns = nsOf(i);
    const host = `s-${id(i)}.scale.test`;
    const key = pool[i % pool.length]!;
    push(ns, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: `tls-${id(i)}`, namespace: ns }, type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(selfSignedCert(host, key)).toString('base64'), 'tls.key': Buffer.from(keyPems[i % pool.length]!).toString('base64') },
    });
  }
  if (o.tlsSecrets > 0) log(`generated ${fmtInt(o.tlsSecrets)} certificates in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The rest: application Secrets (Opaque, a few small keys), as any cluster has many of.
  for (let i = o.tlsSecrets; i < o.secrets; i++) {
    const ns = nsOf(i);
    push(ns, opaqueSecret(ns, `app-secret-${id(i)}`, { username: `user-${i}`, password: `pw-${(i * 2654435761) % 1e9}-${'x'.repeat(24)}`, 'config.json': JSON.stringify({ endpoint: `https://db-${i % 97}.internal:5432`, pool: 10 + (i % 7) }) }));
  }

  const ingress = (i: number, paths: { path: string; type: string }[]): Obj => {
    const ns = nsOf(i);
    const host = `s-${id(i)}.scale.test`;
    const spec: Obj = {
      ingressClassName: 'sluice',
      rules: [{ host, http: { paths: paths.map((p) => ({ path: p.path, pathType: p.type, backend: { service: { name: `svc-${id(i % o.services)}`, port: { name: 'http' } } } })) } }],
    };
    if (i < o.tlsSecrets) spec.tls = [{ hosts: [host], secretName: `tls-${id(i)}` }];
    return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: `ing-${id(i)}`, namespace: ns }, spec };
  };
  const probeIndex = o.ingresses - 1; // not a TLS one unless every Ingress has TLS
  for (let i = 0; i < o.ingresses; i++) if (i !== probeIndex) push(nsOf(i), ingress(i, [{ path: '/', type: 'Prefix' }]));
  // The probe Ingress has only Exact paths, so an unknown path on its host answers 404.
  const probe = (gen: number): Obj => ingress(probeIndex, [{ path: '/ready', type: 'Exact' }, { path: `/gen-${gen}`, type: 'Exact' }]);
  const counts = {
    Ingress: o.ingresses,
    Service: o.services,
    EndpointSlice: o.services,
    'Secret (kubernetes.io/tls)': o.tlsSecrets,
    'Secret (Opaque)': o.secrets - o.tlsSecrets,
  };
  return { byNamespace, probe, probeHost: `s-${id(probeIndex)}.scale.test`, counts };
}

// ---------------------------------------------------------------- sources

/** Where sluice reads the objects from. */
export interface ScaleSource {
  readonly name: string;
  /** Null when usable here, else why not. */
  unavailable(): string | null;
  /** Makes the initial objects available; returns the sluice flags that select this source. */
  load(objs: ScaleObjects): Promise<{ args: string[]; facts: Record<string, string> }>;
  /** Creates or replaces one object; resolves once the change is committed at the source. */
  apply(obj: Obj): Promise<void>;
  close(): Promise<void>;
}

/** Manifest files in a directory, one file per namespace; the probe Ingress in its own file. */
class ManifestsSource implements ScaleSource {
  readonly name = 'manifests';
  readonly #dir: string;
  constructor(dir: string) {
    this.#dir = dir;
  }
  unavailable(): string | null {
    return null;
  }
  async load(objs: ScaleObjects): Promise<{ args: string[]; facts: Record<string, string> }> {
    mkdirSync(this.#dir, { recursive: true });
    for (const [ns, list] of objs.byNamespace) writeFileSync(join(this.#dir, `${ns || '00-cluster'}.yaml`), toYamlStream(list));
    writeFileSync(join(this.#dir, 'zz-probe.yaml'), toYamlStream([objs.probe(0)]));
    let bytes = 0;
    const files = readdirSync(this.#dir);
    for (const f of files) bytes += statSync(join(this.#dir, f)).size;
    return { args: ['--manifests', this.#dir], facts: { manifests: `${files.length} files, ${(bytes / 2 ** 20).toFixed(1)} MiB of YAML (one file per namespace; the changed Ingress alone in zz-probe.yaml)` } };
  }
  async apply(obj: Obj): Promise<void> {
    writeFileAtomic(join(this.#dir, 'zz-probe.yaml'), toYamlStream([obj]));
  }
  async close(): Promise<void> {}
}

/**
 * The in-repo fake Kubernetes API server (test/fake-apiserver/), run inside this process: the
 * objects are created in its store, sluice gets a kubeconfig (--kubeconfig), and a change is an
 * update that its watchers see. Its CPU is the bench's, not sluice's.
 */
interface FakeApi {
  upsert(o: Obj): unknown;
  close(): unknown;
}

class ApiServerSource implements ScaleSource {
  readonly name = 'apiserver';
  #api: FakeApi | null = null;
  unavailable(): string | null {
    return existsSync(join(REPO, 'test', 'fake-apiserver', 'index.ts')) ? null : 'test/fake-apiserver/ is not in this checkout';
  }
  async load(objs: ScaleObjects): Promise<{ args: string[]; facts: Record<string, string> }> {
    const mod = await import('../test/fake-apiserver/index.ts');
    const api = await mod.startFakeApiServer({ host: '127.0.0.1' });
    this.#api = api as unknown as FakeApi;
    let n = 0;
    for (const list of objs.byNamespace.values()) {
      for (const o of list) {
        api.upsert(o as never);
        n++;
      }
    }
    api.upsert(objs.probe(0) as never);
    const kubeconfig = await api.writeKubeconfig();
    return { args: ['--kubeconfig', kubeconfig], facts: { apiserver: `fake API server at ${api.url} with ${fmtInt(n + 1)} objects (in the bench process)` } };
  }
  async apply(obj: Obj): Promise<void> {
    this.#api?.upsert(obj);
  }
  async close(): Promise<void> {
    await this.#api?.close();
  }
}

// ---------------------------------------------------------------- main

const log = (s: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};

async function main(): Promise<void> {
  const o = parseOpts(process.argv.slice(2));
  const [major] = process.versions.node.split('.').map(Number);
  if ((major ?? 0) < 24) throw new Error(`needs Node 24 (this is ${process.version}); run it with npm run bench:scale`);
  const missing = missingTools(['nginx']);
  if (missing.length > 0) {
    console.error('missing tool: nginx (the backend). Install it with:  sudo apt-get install nginx');
    process.exit(2);
  }
  if (!existsSync(join(REPO, 'bin', 'sluice.js'))) throw new Error('bin/sluice.js is not in this checkout (git merge main)');
  installCleanupHandlers();

  const runDir = mkdtempSync(join(os.tmpdir(), 'sluice-scale-'));
  if (!o.keep) onExit(() => rmSync(runDir, { recursive: true, force: true }));
  for (const d of ['logs', 'tmp', 'manifests']) mkdirSync(join(runDir, d), { recursive: true });
  const source: ScaleSource = o.source === 'manifests' ? new ManifestsSource(join(runDir, 'manifests')) : o.source === 'apiserver' ? new ApiServerSource() : (() => {
    throw new Error(`unknown --source ${o.source}`);
  })();
  const why = source.unavailable();
  if (why) {
    console.log(`source "${source.name}": not available: ${why}`);
    process.exit(3);
  }
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const [b1, b2, bs, http1, https1, admin] = await allocatePorts(6);
  const machine = describeMachine(process.execPath);
  const backend = await startBackend(runDir, [b1!, b2!], bs!, asRoot);

  log(`generating objects (${fmtInt(o.ingresses)} Ingresses, ${fmtInt(o.services)} Services + EndpointSlices, ${fmtInt(o.secrets)} Secrets of which ${fmtInt(o.tlsSecrets)} TLS)`);
  const objs = generateObjects(o, backend.ports, log);
  const loaded = await source.load(objs);
  log(`source ${source.name}: ${Object.values(loaded.facts).join('; ')}`);

  await waitQuiet({ quietPct: 6, maxWaitS: 60, sampleMs: 1000, log });
  const args = [
    ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    join(REPO, 'bin', 'sluice.js'), ...loaded.args,
    '--http-port', String(http1), '--https-port', String(https1), '--admin-port', String(admin),
    '--bind-address', '127.0.0.1', '--workers', String(o.workers), '--log-level', 'warn',
    '--configmap', `${CONFIG_NS}/${CONFIG_NAME}`,
  ];
  log(`starting sluice (--workers ${o.workers})`);
  const t0 = performance.now();
  // An empty Node compile cache, as in a freshly started pod: a cold start in every sense.
  const env = { ...process.env, NODE_COMPILE_CACHE: join(runDir, 'node-compile-cache') };
  const sluice: Tracked = spawnTracked('sluice', process.execPath, args, { logFile: join(runDir, 'logs', 'sluice.log'), cwd: REPO, env });
  let rssPeakKb = 0;
  const sampler = setInterval(() => {
    if (!sluice.hasExited()) rssPeakKb = Math.max(rssPeakKb, readMemKb(sluice.pids()).rssKb);
  }, 100);
  const healthy = await Promise.race([waitHttp({ port: admin!, path: '/healthz' }, o.startTimeoutS * 1000, 10), sluice.exited.then(() => false)]);
  const readyS = (performance.now() - t0) / 1000;
  if (!healthy) {
    const logTail = readFileSync(join(runDir, 'logs', 'sluice.log'), 'utf8').trim().split('\n').slice(-3).join('\n');
    if (sluice.hasExited()) {
      // A source sluice does not support yet is "not available", not a failure of the bench.
      console.log(`source "${source.name}": not available: sluice exited at start:\n${logTail}`);
      await source.close();
      await stopAllTracked();
      if (!o.keep) rmSync(runDir, { recursive: true, force: true });
      process.exit(3);
    }
    throw new Error(`sluice did not become healthy within ${o.startTimeoutS} s (log: ${join(runDir, 'logs', 'sluice.log')}):\n${logTail}`);
  }
  const cpuAtReadyS = readTreeTicks(sluice.pids()) / HZ;
  const rssReadyKb = readMemKb(sluice.pids()).rssKb;
  const procs = sluice.pids().length;
  const routed = await waitHttp({ port: http1!, host: objs.probeHost, path: '/ready' }, o.startTimeoutS * 1000, 5);
  const servingS = (performance.now() - t0) / 1000;
  if (!routed) throw new Error('the probe Ingress was never routed');
  log(`healthy after ${readyS.toFixed(2)} s, routing after ${servingS.toFixed(2)} s, RSS ${(rssReadyKb / 1024).toFixed(0)} MiB`);
  await sleep(3000);
  clearInterval(sampler);
  const rssSettledKb = readMemKb(sluice.pids()).rssKb;

  // Change propagation: poll back to back on one keep-alive connection.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latenciesMs: number[] = [];
  const polls: number[] = [];
  const rssAfterMiB: number[] = [];
  let timeouts = 0;
  for (let gen = 1; gen <= o.changes; gen++) {
    const path = `/gen-${gen}`;
    const before = await httpGet({ port: http1!, host: objs.probeHost, path, agent });
    if (before.status === 200) throw new Error(`${path} answers 200 before the change`);
    await source.apply(objs.probe(gen));
    const tc = performance.now();
    let n = 0;
    let seen = false;
    while (performance.now() - tc < o.changeTimeoutS * 1000) {
      n++;
      const r = await httpGet({ port: http1!, host: objs.probeHost, path, agent }).catch(() => null);
      if (r && r.status === 200 && r.body.toString() === 'ok\n') {
        seen = true;
        break;
      }
      await sleep(1);
    }
    const ms = performance.now() - tc;
    if (seen) latenciesMs.push(ms);
    else timeouts++;
    polls.push(n);
    const rss = readMemKb(sluice.pids()).rssKb / 1024;
    rssAfterMiB.push(rss);
    log(`change ${gen}/${o.changes}: ${seen ? `${ms.toFixed(0)} ms` : 'NOT SEEN'} (${n} polls), RSS ${rss.toFixed(0)} MiB`);
    await sleep(300 + Math.floor(Math.random() * 300));
  }
  agent.destroy();
  let compile = { count: NaN, sum: NaN };
  try {
    const m = (await httpGet({ port: admin!, path: '/metrics', timeoutMs: 10_000 })).body.toString();
    compile = { count: sumMetric(m, 'sluice_compile_duration_seconds_count'), sum: sumMetric(m, 'sluice_compile_duration_seconds_sum') };
  } catch {
    /* no metrics */
  }
  const rssEndKb = readMemKb(sluice.pids()).rssKb;
  const alive = !sluice.hasExited();
  await sluice.stop();
  await source.close();
  await stopAllTracked();

  const result = {
    date: new Date().toISOString(),
    machine,
    source: source.name,
    sourceFacts: loaded.facts,
    options: o,
    objects: objs.counts,
    processes: procs,
    startToHealthyS: readyS,
    startToRoutedS: servingS,
    cpuToReadyS: cpuAtReadyS,
    rssReadyMiB: rssReadyKb / 1024,
    rssPeakStartMiB: rssPeakKb / 1024,
    rssSettledMiB: rssSettledKb / 1024,
    rssEndMiB: rssEndKb / 1024,
    changeMs: latenciesMs,
    changePolls: polls,
    rssAfterChangeMiB: rssAfterMiB,
    changeP50Ms: median(latenciesMs),
    changeP99Ms: percentile(latenciesMs, 99),
    changeMaxMs: Math.max(...latenciesMs),
    changeTimeouts: timeouts,
    compiles: compile.count,
    compileAvgMs: (compile.sum / compile.count) * 1000,
    aliveAtEnd: alive,
  };
  const md = [
    '# sluice control-plane scale',
    '',
    ...Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`),
    `- source: ${source.name} (${Object.values(loaded.facts).join('; ')})`,
    `- objects: ${Object.entries(objs.counts).map(([k, v]) => `${fmtInt(v)} ${k}`).join(', ')}`,
    `- sluice: --workers ${o.workers} (${procs} process${procs === 1 ? '' : 'es'})`,
    '',
    '| measure | value |',
    '|---|--:|',
    `| process start → /healthz 200 | ${readyS.toFixed(2)} s |`,
    `| process start → first request routed | ${servingS.toFixed(2)} s |`,
    `| CPU used until ready (all processes) | ${cpuAtReadyS.toFixed(2)} s |`,
    `| RSS at ready (sum of processes) | ${fmtFixed(rssReadyKb / 1024, 0)} MiB |`,
    `| RSS peak during start | ${fmtFixed(rssPeakKb / 1024, 0)} MiB |`,
    `| RSS 3 s after ready | ${fmtFixed(rssSettledKb / 1024, 0)} MiB |`,
    `| RSS after the changes | ${fmtFixed(rssEndKb / 1024, 0)} MiB |`,
    `| Ingress change → routed, p50 / p99 / max (n=${latenciesMs.length}) | ${fmtFixed(result.changeP50Ms, 0)} / ${fmtFixed(result.changeP99Ms, 0)} / ${fmtFixed(result.changeMaxMs, 0)} ms |`,
    `| changes never seen (> ${o.changeTimeoutS} s) | ${timeouts} |`,
    `| route-table compiles, mean compile time | ${fmtInt(compile.count)}, ${fmtFixed(result.compileAvgMs, 0)} ms |`,
    '',
  ].join('\n');
  const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
  const resDir = join(BENCH_DIR, 'results', `${stamp}-scale`);
  mkdirSync(resDir, { recursive: true });
  writeFileSync(join(resDir, 'raw.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(resDir, 'table.md'), md);
  process.stdout.write('\n' + md);
  log(`results: ${resDir}`);
  if (!alive) log('WARNING: sluice exited during the test');
  if (!o.keep) rmSync(runDir, { recursive: true, force: true });
  else log(`kept ${runDir}`);
}

main().catch(async (e: unknown) => {
  console.error(`scale bench failed: ${(e as Error).stack ?? String(e)}`);
  await stopAllTracked();
  process.exit(1);
});
