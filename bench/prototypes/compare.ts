// Measures the candidate data-plane designs side by side (the numbers in docs/design.md):
// nginx (1 worker) as the reference, sluice's raw-socket codec, and node:http + undici.
// Same nginx backend, wrk -t1 -c64, interleaved rounds, medians of proxy CPU µs/request.
// Usage: node bench/prototypes/compare.ts [--rounds 3] [--seconds 5]

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : Number(process.argv[i + 1]);
};
const ROUNDS = arg('--rounds', 3);
const SECONDS = arg('--seconds', 5);
const run = mkdtempSync(join(tmpdir(), 'sluice-proto-'));
mkdirSync(join(run, 'logs'));
const CLK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      /* exited */
    }
  }
  return ticks / CLK;
}

function childPids(pid: number): number[] {
  const out = [pid];
  try {
    for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) out.push(...childPids(Number(c)));
  } catch {
    /* none */
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function get(port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}
async function waitPort(port: number, host = 'x.test'): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await get(port, host)) === 200) return;
    await sleep(100);
  }
  throw new Error(`port ${port} not answering`);
}

writeFileSync(
  join(run, 'backend.conf'),
  `worker_processes 1; pid ${run}/backend.pid; error_log ${run}/logs/b.err warn; events { worker_connections 16384; }
http { access_log off; keepalive_requests 10000000; client_body_temp_path ${run}/b;
  server { listen 127.0.0.1:19001 reuseport backlog=4096; listen 127.0.0.1:19002 reuseport backlog=4096; location / { return 200 "ok\\n"; } } }`,
);
writeFileSync(
  join(run, 'proxy.conf'),
  `worker_processes 1; pid ${run}/proxy.pid; error_log ${run}/logs/p.err warn; events { worker_connections 16384; }
http { access_log off; keepalive_requests 10000000; client_body_temp_path ${run}/p; proxy_temp_path ${run}/pt;
  upstream b { server 127.0.0.1:19001; server 127.0.0.1:19002; keepalive 320; }
  server { listen 127.0.0.1:18080 reuseport backlog=4096; location / { proxy_pass http://b; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_buffering off; } } }`,
);
mkdirSync(join(run, 'manifests'));
const objs = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b', namespace: 'bench' }, spec: { ports: [{ name: 'http', port: 80 }] } },
  ...[19001, 19002].map((p, i) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `b-${i}`, namespace: 'bench', labels: { 'kubernetes.io/service-name': 'b' } }, addressType: 'IPv4', ports: [{ name: 'http', port: p }], endpoints: [{ addresses: ['127.0.0.1'] }] })),
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'bench' }, data: { 'disable-access-log': 'true', 'keep-alive-requests': '10000000' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'b', namespace: 'bench' }, spec: { ingressClassName: 'sluice', rules: [{ host: 'x.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'b', port: { number: 80 } } } }] } }] } },
];
writeFileSync(join(run, 'manifests', 'all.json'), JSON.stringify({ kind: 'List', apiVersion: 'v1', items: objs }));

const backend = spawn('nginx', ['-c', join(run, 'backend.conf'), '-p', run, '-g', 'daemon off;'], { stdio: 'ignore' });
await sleep(300);

interface Design {
  name: string;
  port: number;
  start(): ChildProcess;
}
const designs: Design[] = [
  { name: 'nginx 1 worker', port: 18080, start: () => spawn('nginx', ['-c', join(run, 'proxy.conf'), '-p', run, '-g', 'daemon off;'], { stdio: 'ignore' }) },
  {
    name: 'sluice (raw net codec)',
    port: 18081,
    start: () => spawn(process.execPath, [join(ROOT, 'bin/sluice.js'), '--manifests', join(run, 'manifests'), '--http-port', '18081', '--admin-port', '18091', '--bind-address', '127.0.0.1', '--workers', '1', '--log-level', 'warn', '--configmap', 'bench/cfg'], { stdio: 'ignore' }),
  },
  { name: 'node:http + undici Pool', port: 18082, start: () => spawn(process.execPath, [join(ROOT, 'bench/prototypes/node-undici-proxy.ts'), '18082', '127.0.0.1:19001,127.0.0.1:19002'], { stdio: 'ignore' }) },
];

const results = new Map<string, { rps: number; us: number }[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const d of designs) {
    const p = d.start();
    try {
      await waitPort(d.port);
    } catch (e) {
      p.kill('SIGKILL');
      backend.kill('SIGTERM');
      throw e;
    }
    execFileSync('wrk', ['-t1', '-c64', '-d2s', '-H', 'Host: x.test', `http://127.0.0.1:${d.port}/`], { stdio: 'ignore' });
    const pids = childPids(p.pid!);
    const c0 = cpuSeconds(pids);
    const out = execFileSync('taskset', ['-c', '0', 'wrk', '-t1', '-c64', `-d${SECONDS}s`, '-H', 'Host: x.test', `http://127.0.0.1:${d.port}/`]).toString();
    const c1 = cpuSeconds(pids);
    const total = Number(/(\d+) requests in/.exec(out)![1]);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
    const us = ((c1 - c0) * 1e6) / total;
    if (!results.has(d.name)) results.set(d.name, []);
    results.get(d.name)!.push({ rps, us });
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
    console.error(`round ${round + 1} ${d.name}: ${rps.toFixed(0)} req/s, ${us.toFixed(1)} µs/req`);
  }
}
backend.kill('SIGTERM');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ref = median(results.get(designs[0]!.name)!.map((r) => r.us));
console.log(`\n| design | req/s (median) | proxy CPU µs/req | × nginx |\n|---|--:|--:|--:|`);
for (const d of designs) {
  const r = results.get(d.name)!;
  const us = median(r.map((x) => x.us));
  console.log(`| ${d.name} | ${median(r.map((x) => x.rps)).toFixed(0)} | ${us.toFixed(1)} | ${(us / ref).toFixed(2)} |`);
}
