// Measures what an HTTP/2 request costs sluice compared with an HTTP/1.1 request: same nginx
// backend, same route, h2load as the client (HTTP/1.1 with --h1, h2c with prior knowledge,
// and both over TLS), interleaved rounds, medians of proxy CPU µs/request.
// Usage: node bench/h2-cost.ts [--rounds 3] [--seconds 5]

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : Number(process.argv[i + 1]);
};
const ROUNDS = arg('--rounds', 3);
const SECONDS = arg('--seconds', 5);
const run = mkdtempSync(join(tmpdir(), 'sluice-h2cost-'));
mkdirSync(join(run, 'logs'));
const CLK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK;
}

function get(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host: 'x.test' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}

writeFileSync(
  join(run, 'backend.conf'),
  `worker_processes 1; pid ${run}/backend.pid; error_log ${run}/logs/b.err warn; events { worker_connections 16384; }
http { access_log off; keepalive_requests 10000000; client_body_temp_path ${run}/b;
  server { listen 127.0.0.1:19101 reuseport backlog=4096; location / { return 200 "ok\\n"; } } }`,
);
mkdirSync(join(run, 'manifests'));
const objs = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b', namespace: 'bench' }, spec: { ports: [{ name: 'http', port: 80 }] } },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'b-0', namespace: 'bench', labels: { 'kubernetes.io/service-name': 'b' } }, addressType: 'IPv4', ports: [{ name: 'http', port: 19101 }], endpoints: [{ addresses: ['127.0.0.1'] }] },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'bench' }, data: { 'disable-access-log': 'true', 'keep-alive-requests': '10000000', 'http2-max-concurrent-streams': '128' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'b', namespace: 'bench' }, spec: { ingressClassName: 'sluice', rules: [{ host: 'x.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'b', port: { number: 80 } } } }] } }] } },
];
writeFileSync(join(run, 'manifests', 'all.json'), JSON.stringify({ kind: 'List', apiVersion: 'v1', items: objs }));

const backend = spawn('nginx', ['-c', join(run, 'backend.conf'), '-p', run, '-g', 'daemon off;'], { stdio: 'ignore' });
const sluice = spawn(
  process.execPath,
  [join(ROOT, 'bin/sluice.js'), '--manifests', join(run, 'manifests'), '--http-port', '18181', '--https-port', '18443', '--admin-port', '18191', '--bind-address', '127.0.0.1', '--workers', '1', '--log-level', 'warn', '--configmap', 'bench/cfg', '--enable-h2c'],
  { stdio: 'ignore' },
);
for (let i = 0; i < 100 && (await get(18181)) !== 200; i++) await sleep(100);

interface Mode {
  name: string;
  args: string[];
}
const host = ['-H', ':authority: x.test'];
const modes: Mode[] = [
  { name: 'HTTP/1.1 cleartext, 16 conns', args: ['--h1', '-c', '16', ...host, 'http://127.0.0.1:18181/'] },
  { name: 'h2c, 16 conns × 1 stream', args: ['-c', '16', '-m', '1', ...host, 'http://127.0.0.1:18181/'] },
  { name: 'h2c, 4 conns × 16 streams', args: ['-c', '4', '-m', '16', ...host, 'http://127.0.0.1:18181/'] },
  { name: 'HTTP/1.1 over TLS, 16 conns', args: ['--h1', '-c', '16', ...host, 'https://127.0.0.1:18443/'] },
  { name: 'h2 over TLS, 16 conns × 1 stream', args: ['-c', '16', '-m', '1', ...host, 'https://127.0.0.1:18443/'] },
];

const results = new Map<string, { rps: number; us: number }[]>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const m of modes) {
      execFileSync('h2load', ['-D', '1', '-t', '1', ...m.args], { stdio: 'ignore' });
      const c0 = cpuSeconds(sluice.pid!);
      const out = execFileSync('taskset', ['-c', '0', 'h2load', '-D', String(SECONDS), '-t', '1', ...m.args]).toString();
      const c1 = cpuSeconds(sluice.pid!);
      const done = Number(/requests: \d+ total, \d+ started, (\d+) done/.exec(out)![1]);
      const ok = Number(/status codes: (\d+) 2xx/.exec(out)![1]);
      if (ok !== done) throw new Error(`${m.name}: ${done - ok} non-2xx responses\n${out}`);
      const rps = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)![1]);
      const us = ((c1 - c0) * 1e6) / done;
      if (!results.has(m.name)) results.set(m.name, []);
      results.get(m.name)!.push({ rps, us });
      console.error(`round ${round + 1} ${m.name}: ${rps.toFixed(0)} req/s, ${us.toFixed(1)} µs/req`);
    }
  }
} finally {
  sluice.kill('SIGKILL');
  backend.kill('SIGTERM');
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ref = median(results.get(modes[0]!.name)!.map((r) => r.us));
console.log(`\n| client → sluice | req/s (median) | sluice CPU µs/req | × HTTP/1.1 cleartext |\n|---|--:|--:|--:|`);
for (const m of modes) {
  const r = results.get(m.name)!;
  const us = median(r.map((x) => x.us));
  console.log(`| ${m.name} | ${median(r.map((x) => x.rps)).toFixed(0)} | ${us.toFixed(1)} | ${(us / ref).toFixed(2)} |`);
}
