// Candidate data-plane design B (rejected): node:http server + undici Pool per endpoint, the
// usual way to write a Node reverse proxy. Kept to re-measure against the chosen raw design.
// Usage: node bench/prototypes/node-undici-proxy.ts PORT UPSTREAM[,UPSTREAM...]

import http from 'node:http';
import { Pool } from 'undici';

const port = Number(process.argv[2] ?? 8080);
const upstreams = (process.argv[3] ?? '127.0.0.1:9001').split(',');
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'host']);
const pools = upstreams.map((u) => new Pool(`http://${u}`, { connections: null, pipelining: 1, keepAliveTimeout: 60_000 }));
let rr = 0;

function strip(h: http.IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in h) if (!HOP.has(k) && h[k] !== undefined) out[k] = h[k]!;
  return out;
}

http
  .createServer((req, res) => {
    const pool = pools[rr++ % pools.length]!;
    const headers = strip(req.headers);
    headers.host = req.headers.host ?? '';
    const ip = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${req.headers['x-forwarded-for']}, ${ip}` : ip;
    const body = req.method === 'GET' || req.method === 'HEAD' ? null : req;
    pool.stream(
      { path: req.url ?? '/', method: req.method as 'GET', headers, body },
      ({ statusCode, headers: h }) => {
        res.writeHead(statusCode, strip(h as Record<string, string>));
        return res;
      },
      (err) => {
        if (err) {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        }
      },
    );
  })
  .listen(port, '127.0.0.1', () => console.log(`node:http+undici proxy on ${port}`));
