// `npm start`: three small cheese backends on 127.0.0.1:9101-9103, and sluice on 127.0.0.1:8080
// (admin on 10254) routing to them from examples/manifests. Edit a manifest: routing changes live.

import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const BACKENDS = [
  { name: 'cheddar', port: 9101, pod: 'cheddar-7d9f' },
  { name: 'stilton', port: 9102, pod: 'stilton-5c2a' },
  { name: 'wensleydale', port: 9103, pod: 'wensleydale-0b1e' },
];
const HTTP_PORT = Number(process.env.SLUICE_DEMO_PORT ?? 8080);
const ADMIN_PORT = Number(process.env.SLUICE_DEMO_ADMIN_PORT ?? 10254);

function startBackend(b: (typeof BACKENDS)[number]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const body = JSON.stringify({ cheese: b.name, pod: b.pod, method: req.method, path: req.url, host: req.headers.host, requestId: req.headers['x-request-id'], forwardedFor: req.headers['x-forwarded-for'] }, null, 2);
    res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': b.pod });
    res.end(body + '\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`demo backend ${b.name} cannot listen on 127.0.0.1:${b.port}: ${(err as Error).message}`)));
    server.listen(b.port, '127.0.0.1', () => resolve(server));
  });
}

const servers = await Promise.all(BACKENDS.map(startBackend)).catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});

const sluice = spawn(
  process.execPath,
  [`${here}../bin/sluice.js`, '--manifests', `${here}manifests`, '--http-port', String(HTTP_PORT), '--https-port', '8443', '--admin-port', String(ADMIN_PORT), '--bind-address', '127.0.0.1', '--workers', '1'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);

let shown = false;
sluice.stdout.setEncoding('utf8');
let pending = '';
sluice.stdout.on('data', (chunk: string) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    let rec: Record<string, unknown> | null = null;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      rec = null;
    }
    if (rec && rec.type === 'access') {
      console.log(`  ${rec.status} ${rec.method} ${rec.host}${rec.uri} → ${rec.service || '-'} ${rec.upstream || ''} (${Math.round(Number(rec.duration) * 1e6) / 1e3} ms)`);
    } else if (rec) {
      console.log(`[sluice] ${rec.level}: ${rec.msg}${rec.file ? ` (${rec.file})` : ''}`);
    } else console.log(line);
    if (rec?.msg === 'ready' && !shown) {
      shown = true;
      const u = `http://127.0.0.1:${HTTP_PORT}`;
      console.log(`
sluice is routing on ${u} (admin http://127.0.0.1:${ADMIN_PORT}/). Try:

  curl -H 'Host: cheddar.localhost' ${u}/
  curl -H 'Host: stilton.localhost' ${u}/any/path
  curl -H 'Host: wensleydale.localhost' ${u}/
  curl -H 'Host: cheeseboard.localhost' ${u}/stilton/blue      # Prefix /stilton
  curl -H 'Host: cheeseboard.localhost' ${u}/board             # Exact /board
  curl -H 'Host: cheeseboard.localhost' ${u}/brie              # Ingress defaultBackend
  curl -H 'Host: unknown.localhost' ${u}/                      # 404, no rule
  curl 'http://127.0.0.1:${ADMIN_PORT}/debug/explain?host=cheeseboard.localhost&path=/stilton/blue'
  open http://127.0.0.1:${ADMIN_PORT}/ for the dashboard

Edit examples/manifests/*.yaml and save: routing changes live. Ctrl-C stops everything.
`);
    }
  }
});

function stop(): void {
  sluice.kill('SIGTERM');
  for (const s of servers) s.close();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
sluice.on('exit', (code) => {
  for (const s of servers) s.close();
  process.exit(code ?? 0);
});
