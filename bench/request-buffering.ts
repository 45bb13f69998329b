// Does proxy-request-buffering "on" (ingress-nginx's default: hold the body, then contact the
// pod) cost anything for small bodies compared with "off" (stream)? Runs the real binary with one
// Ingress per mode and drives keep-alive POSTs of a few sizes, alternating the modes in rounds.
// Uses h2load (--h1) when it is installed, a node:http client otherwise (which costs more CPU
// than sluice itself, so its numbers are noisier).
//
//   node bench/request-buffering.ts [seconds-per-round=3] [rounds=3] [concurrency=16]

import http from 'node:http';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSluice, ManifestDir } from '../test/helpers/sluice.ts';
import { backendObjects, configMap, ingress } from '../test/helpers/objects.ts';

const [secs = 3, rounds = 3, conc = 16] = process.argv.slice(2).map(Number);

const backend = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  let n = 0;
  req.on('data', (c: Buffer) => (n += c.length));
  req.on('end', () => res.end(String(n)));
});
await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
const port = (backend.address() as { port: number }).port;

const dir = new ManifestDir('sluice-bench-');
dir.write('o.yaml', [
  ...backendObjects('b', 'sink', [port]),
  ingress('b', 'on', [{ host: 'on.bench', paths: [{ path: '/', service: 'sink' }] }]),
  ingress('b', 'off', [{ host: 'off.bench', paths: [{ path: '/', service: 'sink' }] }], { annotations: { 'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off' } }),
  // No access log; no client connection recycling every 1000 requests (h2load -D can hang at the
  // end of a run when the server closed some of its connections).
  configMap('b', 'cfg', { 'disable-access-log': 'true', 'keep-alive-requests': '100000000' }),
]);
const sluice = await startSluice({ manifests: [dir.path], args: ['--configmap', 'b/cfg'] });

const H2LOAD = spawnSync('h2load', ['--version']).status === 0;

/** h2load (async: the backend lives in this process): requests per second, mean and max latency (ms). */
async function runH2load(host: string, body: Buffer): Promise<{ rps: number; p50: number; p99: number }> {
  const file = join(dir.path, 'body');
  writeFileSync(file, body);
  const { stdout: out } = await promisify(execFile)('h2load', ['--h1', '-D', String(secs), '-c', String(conc), '-d', file, '-H', `:authority: ${host}`, `http://127.0.0.1:${sluice.httpPort}/`], { encoding: 'utf8' });
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out)!;
  if (Number(codes[3]) + Number(codes[4]) > 0) throw new Error(`errors from ${host}: ${codes[0]}`);
  const rps = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)![1]);
  const lat = /time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)/.exec(out)!;
  const ms = (v: string, u: string): number => Number(v) * (u === 'us' ? 0.001 : u === 's' ? 1000 : 1);
  return { rps, p50: ms(lat[5]!, lat[6]!), p99: ms(lat[3]!, lat[4]!) };
}

async function run(host: string, body: Buffer): Promise<{ rps: number; p50: number; p99: number }> {
  if (H2LOAD) return runH2load(host, body);
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
  const lat: number[] = [];
  const end = performance.now() + secs * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request({ host: '127.0.0.1', port: sluice.httpPort, method: 'POST', path: '/', agent, headers: { host, 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => {
          lat.push(performance.now() - t0);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  const worker = async (): Promise<void> => {
    while (performance.now() < end) await one();
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, worker));
  const took = (performance.now() - t0) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { rps: lat.length / took, p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]! };
}

const results: Record<string, { rps: number[]; p50: number[]; p99: number[] }> = {};
for (const size of [256, 4096, 65536]) {
  const body = Buffer.alloc(size, 'b');
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
      const k = `${size} B ${mode}`;
      const x = await run(`${mode}.bench`, body);
      const e = (results[k] ??= { rps: [], p50: [], p99: [] });
      e.rps.push(x.rps);
      e.p50.push(x.p50);
      e.p99.push(x.p99);
    }
  }
}
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
// With h2load the two latency columns are its mean and max per request.
const [l1, l2] = H2LOAD ? ['mean', 'max'] : ['p50', 'p99'];
console.log(`client: ${H2LOAD ? 'h2load --h1' : 'node:http'}, ${conc} connections, ${rounds} rounds of ${secs} s, medians`);
for (const [k, v] of Object.entries(results)) {
  console.log(`${k.padEnd(12)} ${med(v.rps).toFixed(0).padStart(7)} req/s   ${l1} ${med(v.p50).toFixed(2)} ms   ${l2} ${med(v.p99).toFixed(2)} ms`);
}
await sluice.stop();
backend.close();
dir.cleanup();
