// End to end: response bytes arrive exactly as the backend sent them, over HTTP/1.1, HTTPS and
// HTTP/2, on concurrent connections with slow readers among them. Upstream reads go into reused
// buffers (upstream/pool.ts), so a chunk still held by a client write must never be overwritten.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import { createHash } from 'node:crypto';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, writeAll, type Backend } from '../helpers/backend.ts';
import { backendObjects, ingress, tlsSecret } from '../helpers/objects.ts';
import { makeCert } from '../helpers/certs.ts';

/** 6 MiB of deterministic pseudo-random bytes (xorshift32): a misplaced or reused buffer shows. */
const PATTERN = (() => {
  const b = Buffer.allocUnsafe(6 * 1024 * 1024);
  let x = 0x9e3779b9;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
})();
/** PATTERN in odd-sized pieces. */
function* oddPieces(): Generator<Buffer> {
  for (let off = 0; off < PATTERN.length; ) {
    const piece = PATTERN.subarray(off, off + 40_000 + (off % 7_919));
    off += piece.length;
    yield piece;
  }
}
const DIGEST = createHash('sha256').update(PATTERN).digest('hex');
const HOST = 'bytes.test';

/** Reads a body, pausing now and then when `slow`, so sluice's writes to this client back up. */
function consume(stream: NodeJS.ReadableStream & { pause(): void; resume(): void }, slow: boolean, status: number, resolve: (r: string) => void, reject: (e: Error) => void): void {
  const h = createHash('sha256');
  let n = 0;
  let reads = 0;
  stream.on('data', (d: Buffer) => {
    h.update(d);
    n += d.length;
    if (slow) {
      stream.pause();
      setTimeout(() => stream.resume(), ++reads % 4 === 0 ? 25 : 2);
    }
  });
  stream.on('end', () => resolve(`${status} ${n} ${h.digest('hex')}`));
  stream.on('error', reject);
}

describe('relayed response bodies are byte-exact', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let backend: Backend;

  before(async () => {
    // Odd-sized writes, Content-Length for /len, chunked for /chunked.
    backend = await startBackend('bytes', (req, res) => {
      const chunked = req.url!.startsWith('/chunked');
      res.writeHead(200, chunked ? { 'content-type': 'application/octet-stream' } : { 'content-type': 'application/octet-stream', 'content-length': PATTERN.length });
      writeAll(res, oddPieces());
    });
    const cert = await makeCert([HOST]);
    dir = new ManifestDir();
    dir.write('objects.yaml', [
      ...backendObjects('b', 'bytes', [backend.port]),
      tlsSecret('b', 'bytes-tls', cert.cert, cert.key),
      ingress('b', 'bytes', [{ host: HOST, paths: [{ service: 'bytes' }] }], { tls: [{ hosts: [HOST], secretName: 'bytes-tls' }], annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } }),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    await backend?.close();
    dir?.cleanup();
  });

  const paths = (i: number): string => (i % 3 === 0 ? `/chunked/${i}` : `/len/${i}`);

  test('HTTP/1.1: 6 concurrent downloads, half of them slow', async () => {
    const one = (i: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: sluice.httpPort, path: paths(i), headers: { host: HOST }, agent: false }, (res) => consume(res, i % 2 === 0, res.statusCode!, resolve, reject));
        req.on('error', reject);
        req.end();
      });
    const got = await Promise.all(Array.from({ length: 6 }, (_, i) => one(i)));
    for (const g of got) assert.equal(g, `200 ${PATTERN.length} ${DIGEST}`);
  });

  test('HTTPS: 6 concurrent downloads, half of them slow', async () => {
    const one = (i: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = https.request(
          { host: '127.0.0.1', port: sluice.httpsPort, path: paths(i), servername: HOST, headers: { host: HOST }, rejectUnauthorized: false, agent: false },
          (res) => consume(res, i % 2 === 0, res.statusCode!, resolve, reject),
        );
        req.on('error', reject);
        req.end();
      });
    const got = await Promise.all(Array.from({ length: 6 }, (_, i) => one(i)));
    for (const g of got) assert.equal(g, `200 ${PATTERN.length} ${DIGEST}`);
  });

  test('HTTP/2: 6 concurrent streams on one connection, half of them slow', async () => {
    const session = http2.connect(`https://127.0.0.1:${sluice.httpsPort}`, { servername: HOST, rejectUnauthorized: false });
    try {
      const one = (i: number): Promise<string> =>
        new Promise((resolve, reject) => {
          const stream = session.request({ ':path': paths(i), ':authority': HOST });
          stream.on('response', (h) => consume(stream, i % 2 === 0, Number(h[':status']), resolve, reject));
          stream.on('error', reject);
          stream.end();
        });
      const got = await Promise.all(Array.from({ length: 6 }, (_, i) => one(i)));
      for (const g of got) assert.equal(g, `200 ${PATTERN.length} ${DIGEST}`);
    } finally {
      session.close();
    }
  });
});
