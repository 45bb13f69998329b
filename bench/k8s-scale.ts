// Cluster-mode scale bench: sluice against the in-repo fake API server with many Ingresses.
//
//   npm run bench:k8s-scale                         # 10,000 Ingresses/Services/EndpointSlices
//   npm run bench:k8s-scale -- --ingresses 2000 --changes 10 --workers 2 --status
//
// 1. Cold start: spawn → /healthz 200 (initial lists + first compile + listeners), RSS at ready
//    and after settling.
// 2. Ingress change → routable: one Ingress gets a new Exact path through the API; the bench polls
//    that path through the proxy until it answers 200. Time from the write being committed (the
//    API server has sent the watch event's resourceVersion) to the first 200. --changes times.
// 3. Endpoint change → live: an EndpointSlice is pointed at a second backend; time until the
//    proxy answers from it (the endpoint fast path: no compile).
// Compile times come from sluice's own sluice_compile_duration_seconds.
//
// --status adds --publish-status-address, so the leader also writes 10,000 Ingress statuses
// (rate-limited) while the changes are measured.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startFakeApiServer } from '../test/fake-apiserver/index.ts';

interface Opts {
  ingresses: number;
  namespaces: number;
  changes: number;
  workers: number;
  status: boolean;
}

function parse(argv: string[]): Opts {
  const o: Opts = { ingresses: 10_000, namespaces: 100, changes: 20, workers: 1, status: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--status') o.status = true;
    else if (a === '--ingresses' || a === '--namespaces' || a === '--changes' || a === '--workers') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a}: not a positive whole number`);
      o[a.slice(2) as 'ingresses'] = v;
    } else if (a === '--help') {
      console.log('usage: npm run bench:k8s-scale -- [--ingresses N] [--namespaces N] [--changes N] [--workers N] [--status]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const o = parse(process.argv.slice(2));
const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));

function backend(name: string): Promise<{ port: number; close(): void }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'x-backend': name }).end(name));
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, close: () => server.close() })));
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function get(port: number, host: string, path: string): Promise<{ status: number; backend: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, backend: String(res.headers['x-backend'] ?? '') }));
    });
    req.on('error', reject);
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function treeRssMb(pid: number): number {
  let total = rssMb(pid);
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += treeRssMb(Number(child));
  } catch {
    // no children file
  }
  return total;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const api = await startFakeApiServer({ compactionWindow: 50_000 });
const kubeconfig = await api.writeKubeconfig();
const [a, b] = await Promise.all([backend('a'), backend('b')]);
const ns = (i: number): string => `scale-${String(i % o.namespaces).padStart(3, '0')}`;
const t0 = performance.now();
api.create({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'sluice' }, spec: { controller: 'sluice.dev/ingress-controller' } });
// As bench/scale.ts: no access log (the bench's own polling would dominate the CPU profile).
api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sluice-config', namespace: 'sluice-system' }, data: { 'disable-access-log': 'true' } });
for (let i = 0; i < o.ingresses; i++) {
  const n = ns(i);
  api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: n }, spec: { ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
  api.create({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `svc-${i}-x`, namespace: n, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: a.port }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true }, nodeName: 'node-1' }],
  });
  api.create({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: `ing-${i}`, namespace: n, annotations: i % 4 === 0 ? { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } : {} },
    spec: { ingressClassName: 'sluice', rules: [{ host: `h${i}.scale.test`, http: { paths: [{ path: '/', pathType: i === 0 ? 'Exact' : 'Prefix', backend: { service: { name: `svc-${i}`, port: { number: 80 } } } }] } }] },
  });
}
console.log(`objects: ${o.ingresses} Ingresses, Services, EndpointSlices in ${o.namespaces} namespaces (created in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

const args0 = [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), BIN, '--kubeconfig', kubeconfig, '--http-port', '0', '--https-port', '0', '--admin-port', '0', '--bind-address', '127.0.0.1', '--workers', String(o.workers), '--log-level', process.env.BENCH_VERBOSE ? 'debug' : 'info'];
const args = [...args0, '--configmap', 'sluice-system/sluice-config'];
if (o.status) args.push('--publish-status-address', '192.0.2.1');
const started = performance.now();
const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
let httpPort = 0;
let adminPort = 0;
let readyAt = 0;
let buf = '';
proc.stdout!.setEncoding('utf8');
proc.stdout!.on('data', (c: string) => {
  buf += c;
  let nl: number;
  while ((nl = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    try {
      const r = JSON.parse(line) as { msg: string; protocol?: string; port?: number; level: string };
      if (r.msg === 'listening' && r.protocol === 'http') httpPort = r.port!;
      if (r.msg === 'listening' && r.protocol === 'admin') adminPort = r.port!;
      if (r.msg === 'ready') readyAt = performance.now();
      if (r.level === 'error' || r.level === 'fatal' || (process.env.BENCH_VERBOSE && (r.msg === 'listed' || r.msg === 'route table published' || r.msg.startsWith('cluster mode')))) console.log(`sluice: ${line}`);
    } catch {
      // not JSON
    }
  }
});
const stop = (): void => {
  proc.kill('SIGTERM');
};
process.on('exit', stop);

while (!readyAt) {
  if (proc.exitCode !== null) throw new Error('sluice exited');
  await sleep(20);
}
const admin = async (path: string): Promise<string> => (await fetch(`http://127.0.0.1:${adminPort}${path}`)).text();
const metric = async (name: string): Promise<number> => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(await admin('/metrics'));
  return m ? Number(m[1]) : NaN;
};
/** The primary's V8 heap (with workers its process metrics carry the sluice_primary_ prefix). */
const heapMb = async (): Promise<string> => ((await metric(o.workers > 1 ? 'sluice_primary_nodejs_heap_size_used_bytes' : 'sluice_nodejs_heap_size_used_bytes')) / 1048576).toFixed(0);
const rssReady = treeRssMb(proc.pid!);
console.log(`cold start → ready: ${((readyAt - started) / 1000).toFixed(2)} s; RSS at ready ${rssReady.toFixed(0)} MB${o.workers > 1 ? ` (primary + ${o.workers} workers)` : ''}`);
const first = await get(httpPort, `h${o.ingresses - 1}.scale.test`, '/');
if (first.status !== 200) throw new Error(`the last Ingress is not routable at ready: ${first.status}`);

await sleep(3000);
console.log(`RSS after settling: ${treeRssMb(proc.pid!).toFixed(0)} MB (primary alone ${rssMb(proc.pid!).toFixed(0)} MB); primary's V8 heap used ${await heapMb()} MB`);

// Ingress change → routable.
const probeNs = ns(0);
const latencies: number[] = [];
for (let k = 0; k < o.changes; k++) {
  const path = `/probe-${k}`;
  const paths = [{ path: '/', pathType: 'Exact', backend: { service: { name: 'svc-0', port: { number: 80 } } } }];
  for (let j = 0; j <= k; j++) paths.push({ path: `/probe-${j}`, pathType: 'Exact', backend: { service: { name: 'svc-0', port: { number: 80 } } } });
  // Not routable yet: the default backend answers 404.
  if ((await get(httpPort, 'h0.scale.test', path)).status === 200) throw new Error('probe path routable before the change');
  const ing = api.get<Record<string, any>>('Ingress', probeNs, 'ing-0')!;
  ing.spec.rules[0].http.paths = paths;
  const tw = performance.now();
  api.update(ing);
  for (;;) {
    const r = await get(httpPort, 'h0.scale.test', path);
    if (r.status === 200) break;
    if (performance.now() - tw > 30_000) throw new Error(`change ${k} not live after 30 s`);
    await sleep(5);
  }
  latencies.push(performance.now() - tw);
  await sleep(300);
}
const compiles = await metric('sluice_compile_duration_seconds_count');
const compileSum = await metric('sluice_compile_duration_seconds_sum');
console.log(`Ingress change → routable (${latencies.length} changes): p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);
console.log(`compile: ${compiles} compiles, mean ${((compileSum / compiles) * 1000).toFixed(0)} ms (includes the first)`);

// Endpoint change → live (fast path).
const epLat: number[] = [];
for (let k = 0; k < Math.min(o.changes, 10); k++) {
  const i = 1 + k;
  const target = k % 2 === 0 ? b : a;
  const want = k % 2 === 0 ? 'b' : 'a';
  const sl = api.get<Record<string, any>>('EndpointSlice', ns(i), `svc-${i}-x`)!;
  sl.ports = [{ name: 'http', port: target.port }];
  const tw = performance.now();
  api.update(sl);
  for (;;) {
    const r = await get(httpPort, `h${i}.scale.test`, '/');
    if (r.backend === want) break;
    if (performance.now() - tw > 30_000) throw new Error('endpoint change not live after 30 s');
    await sleep(2);
  }
  epLat.push(performance.now() - tw);
}
console.log(`EndpointSlice change → live (${epLat.length} changes): p50 ${pct(epLat, 50).toFixed(1)} ms, max ${Math.max(...epLat).toFixed(1)} ms; compiles since: ${(await metric('sluice_compile_duration_seconds_count')) - compiles}`);
if (o.status) console.log(`status writes so far: ${api.count({ verb: 'patch', subresource: 'status' })}`);
console.log(`RSS at the end: ${treeRssMb(proc.pid!).toFixed(0)} MB; primary's V8 heap used ${await heapMb()} MB`);

proc.kill('SIGTERM');
await new Promise((r) => proc.once('exit', r));
a.close();
b.close();
agent.destroy();
await api.close();
process.exit(0);
