// End to end: HTTP/2 clients (TLS with ALPN h2, and h2c with prior knowledge behind
// --enable-h2c) proxied to HTTP/1.1 pods with the same behaviour as HTTP/1.1 clients — routing,
// policies, limits, retries, timeouts, error pages, streaming, trailers, forwarded headers,
// metrics and access log — plus the HTTP/2 abuse limits, attacked with raw frames.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import tlsModule from 'node:tls';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { repeat, startBackend, writeAll, type Backend } from '../helpers/backend.ts';
import { backendObjects, configMap, ingress, tlsSecret } from '../helpers/objects.ts';
import { rawExchange, request } from '../helpers/client.ts';
import { makeCa, makeCert, type Pem } from '../helpers/certs.ts';
import { ERR, FLAG, FRAME, frame, h2connect, h2request, headerBlock, rawH2, rstStream } from '../helpers/h2.ts';
import { closedPort } from '../helpers/ports.ts';

const A = 'nginx.ingress.kubernetes.io/';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('HTTP/2 clients', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let echo: Backend;
  let slow: Backend;
  let stream: Backend;
  let good: Backend;
  let ca: Pem;
  let deadPort = 0;
  let tls: http2.ClientHttp2Session;
  let h2c: http2.ClientHttp2Session;
  const trickle: { release: (() => void) | null } = { release: null };

  before(async () => {
    ca = await makeCa();
    const site = await makeCert(['h2.test'], { ca });
    echo = await startBackend('echo');
    slow = await startBackend('slow', (_req, res) => {
      setTimeout(() => res.end('late'), 3000);
    });
    stream = await startBackend('stream', (req, res) => {
      if (req.url === '/stream/trickle') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: first\n\n');
        trickle.release = () => res.end('data: second\n\n');
      } else if (req.url === '/stream/trailers') {
        res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
        res.write('abc');
        res.addTrailers({ 'x-checksum': '42' });
        res.end();
      } else if (req.url === '/stream/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        writeAll(res, repeat(Buffer.alloc(65536, 'y'), 64));
      } else if (req.url === '/stream/cookies') {
        res.writeHead(200, [
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
          ['connection', 'keep-alive'],
        ] as unknown as http2.OutgoingHttpHeaders);
        res.end('ok');
      } else {
        res.end('ok');
      }
    });
    good = await startBackend('good');
    deadPort = await closedPort();
    dir = new ManifestDir();
    dir.write('objects.yaml', [
      ...backendObjects('t', 'echo', [echo.port]),
      ...backendObjects('t', 'slow', [slow.port]),
      ...backendObjects('t', 'stream', [stream.port]),
      ...backendObjects('t', 'dead', [deadPort]),
      ...backendObjects('t', 'half-dead', [deadPort, good.port]),
      tlsSecret('t', 'site', site.cert, site.key),
      ingress('t', 'main', [
        {
          host: 'h2.test',
          paths: [
            { path: '/', service: 'echo' },
            { path: '/slow', service: 'slow' },
            { path: '/stream', service: 'stream' },
            { path: '/dead', service: 'dead' },
            { path: '/half', service: 'half-dead' },
          ],
        },
      ], { tls: [{ hosts: ['h2.test'], secretName: 'site' }], annotations: { [`${A}proxy-body-size`]: '1k', [`${A}proxy-read-timeout`]: '1' } }),
      ingress('t', 'plain', [{ host: 'plain.test', paths: [{ path: '/', service: 'echo' }] }]),
      ingress('t', 'broken', [{ host: 'broken.test', paths: [{ path: '/', service: 'echo' }] }], { annotations: { [`${A}proxy-body-size`]: 'lots' } }),
      configMap('sluice', 'cfg', { 'http2-max-concurrent-streams': '16', 'keep-alive-requests': '500', 'http2-rapid-reset-threshold': '50' }),
    ]);
    sluice = await startSluice({ manifests: [dir.path], args: ['--enable-h2c', '--configmap', 'sluice/cfg'] });
    tls = await h2connect(`https://127.0.0.1:${sluice.httpsPort}`, { ca: ca.cert, servername: 'h2.test' });
    h2c = await h2connect(`http://127.0.0.1:${sluice.httpPort}`);
  });

  after(async () => {
    tls?.close();
    h2c?.close();
    await sluice?.stop();
    for (const b of [echo, slow, stream, good]) await b?.close();
    dir?.cleanup();
  });

  test('TLS: ALPN h2; the request reaches the pod as HTTP/1.1 with the forwarded headers; logged as HTTP/2.0', async () => {
    assert.equal((tls.socket as unknown as { alpnProtocol: string }).alpnProtocol, 'h2');
    const r = await h2request(tls, '/hello?x=1', { authority: 'h2.test', headers: { 'x-custom': 'v' } });
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.text);
    assert.equal(seen.url, '/hello?x=1');
    assert.equal(seen.headers.host, 'h2.test');
    assert.equal(seen.headers['x-custom'], 'v');
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers['x-forwarded-host'], 'h2.test');
    assert.equal(seen.headers['x-real-ip'], '127.0.0.1');
    assert.match(seen.headers['x-request-id'], /^[0-9a-f]{32}$/);
    // HSTS (a policy step) applies to HTTP/2 responses too.
    assert.match(String(r.headers['strict-transport-security']), /max-age=31536000/);
    const line = await sluice.waitForLog((l) => l.type === 'access' && l.uri === '/hello?x=1');
    assert.equal(line.protocol, 'HTTP/2.0');
    assert.equal(line.status, 200);
  });

  test('h2c with prior knowledge: routing by :authority, cookies joined with "; "', async () => {
    const r = await h2request(h2c, '/c', { authority: 'plain.test', headers: { cookie: ['a=1', 'b=2'] } });
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.text);
    assert.equal(seen.headers.cookie, 'a=1; b=2');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
  });

  test('policies run for HTTP/2: the SSL redirect of a TLS host over h2c, a denied route', async () => {
    const r = await h2request(h2c, '/x/', { authority: 'h2.test' });
    assert.equal(r.status, 308);
    assert.equal(r.headers.location, 'https://h2.test/x');
    const d = await h2request(h2c, '/', { authority: 'broken.test' });
    assert.equal(d.status, 503);
  });

  test('request bodies: with content-length, and without (chunked towards the pod)', async () => {
    const a = await h2request(tls, '/post', { method: 'POST', authority: 'h2.test', body: 'x'.repeat(500) });
    assert.equal(JSON.parse(a.text).bodyBytes, 500);
    assert.equal(JSON.parse(a.text).headers['content-length'], '500');
    const b = await h2request(tls, '/post', { method: 'POST', authority: 'h2.test', body: 'y'.repeat(700), noLength: true });
    const seen = JSON.parse(b.text);
    assert.equal(seen.bodyBytes, 700);
    assert.equal(seen.headers['transfer-encoding'], 'chunked');
  });

  test('large uploads flow through flow control and backpressure (with and without content-length)', async () => {
    const body = Buffer.alloc(900 * 1024, 'u');
    const a = await h2request(h2c, '/upload', { method: 'POST', authority: 'plain.test', body, timeoutMs: 30_000 });
    assert.equal(JSON.parse(a.text).bodyBytes, body.length);
    const b = await h2request(h2c, '/upload', { method: 'POST', authority: 'plain.test', body, noLength: true, timeoutMs: 30_000 });
    assert.equal(JSON.parse(b.text).bodyBytes, body.length);
  });

  test('proxy-body-size: 413 for a declared length and for a streamed body over the limit', async () => {
    const a = await h2request(tls, '/post', { method: 'POST', authority: 'h2.test', body: 'x'.repeat(2000) });
    assert.equal(a.status, 413);
    assert.match(a.text, /413 Request Entity Too Large/);
    const b = await h2request(tls, '/post', { method: 'POST', authority: 'h2.test', body: 'x'.repeat(5000), noLength: true });
    assert.equal(b.status, 413);
    // The session is still good.
    assert.equal((await h2request(tls, '/', { authority: 'h2.test' })).status, 200);
  });

  test('error pages, retries and timeouts: 502, next endpoint, 504', async () => {
    const dead = await h2request(tls, '/dead', { authority: 'h2.test' });
    assert.equal(dead.status, 502);
    assert.match(dead.text, /502 Bad Gateway/);
    assert.equal(dead.headers['content-type'], 'text/html');
    for (let i = 0; i < 4; i++) {
      const half = await h2request(tls, '/half', { authority: 'h2.test' });
      assert.equal(half.status, 200);
      assert.equal(JSON.parse(half.text).backend, 'good');
    }
    const t = await h2request(tls, '/slow', { authority: 'h2.test' });
    assert.equal(t.status, 504);
  });

  test('response streaming: the first event arrives before the pod sends the second (SSE)', async () => {
    const req = tls.request({ ':path': '/stream/trickle', ':authority': 'h2.test' });
    const first = await new Promise<string>((resolve) => req.once('data', (c: Buffer) => resolve(c.toString())));
    assert.equal(first, 'data: first\n\n');
    assert.ok(trickle.release, 'the pod is still holding the second event');
    const rest: Buffer[] = [];
    req.on('data', (c: Buffer) => rest.push(c));
    const ended = new Promise((r) => req.on('end', r));
    trickle.release!();
    await ended;
    assert.equal(Buffer.concat(rest).toString(), 'data: second\n\n');
  });

  test('trailers of a chunked HTTP/1.1 response become HTTP/2 trailers; multi-valued fields stay separate; hop-by-hop fields are dropped', async () => {
    const r = await h2request(tls, '/stream/trailers', { authority: 'h2.test' });
    assert.equal(r.text, 'abc');
    assert.deepEqual(r.trailers?.['x-checksum'], '42');
    const c = await h2request(tls, '/stream/cookies', { authority: 'h2.test' });
    assert.deepEqual(c.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(c.headers.connection, undefined);
    assert.equal(c.headers['transfer-encoding'], undefined);
  });

  test('a large response flows with backpressure; HEAD has no body', async () => {
    const r = await h2request(tls, '/stream/big', { authority: 'h2.test', timeoutMs: 30_000 });
    assert.equal(r.body.length, 64 * 65536);
    const h = await h2request(tls, '/', { method: 'HEAD', authority: 'h2.test' });
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
  });

  test('concurrent streams on one connection; the advertised limit is http2-max-concurrent-streams', async () => {
    assert.equal(tls.remoteSettings.maxConcurrentStreams, 16);
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => h2request(tls, `/par/${i}`, { authority: 'h2.test' })));
    assert.deepEqual(new Set(all.map((r) => r.status)), new Set([200]));
    assert.deepEqual(all.map((r) => JSON.parse(r.text).url), Array.from({ length: 40 }, (_, i) => `/par/${i}`));
  });

  test('header list larger than large-client-header-buffers (4 × 8k) is answered 431, smaller ones pass', async () => {
    const ok = await h2request(tls, '/', { authority: 'h2.test', headers: { 'x-big': 'a'.repeat(6000) } });
    assert.equal(ok.status, 200);
    // Fresh connections, settled (SETTINGS exchanged both ways) before the large heads go out.
    const settled = async (): Promise<http2.ClientHttp2Session> => {
      const s = await h2connect(`https://127.0.0.1:${sluice.httpsPort}`, { ca: ca.cert, servername: 'h2.test' });
      if (!s.remoteSettings || s.pendingSettingsAck) await new Promise((r) => s.once('localSettings', r));
      return s;
    };
    const s1 = await settled();
    const s2 = await settled();
    try {
      const fields: Record<string, string> = {};
      for (const k of ['a', 'b', 'c', 'd', 'e']) fields[`x-${k}`] = k.repeat(8000);
      const big = await h2request(s1, '/big-headers', { authority: 'h2.test', headers: fields });
      assert.equal(big.status, 431);
      const line = await sluice.waitForLog((l) => l.type === 'access' && l.uri === '/big-headers');
      assert.match(String(line.error), /large-client-header-buffers/);
      assert.equal((await h2request(s1, '/', { authority: 'h2.test' })).status, 200, 'the connection is still usable');
      // Beyond twice the limit (the advertised SETTINGS_MAX_HEADER_LIST_SIZE) Node resets the stream.
      const huge: Record<string, string> = {};
      for (let i = 0; i < 10; i++) huge[`x-${i}`] = 'h'.repeat(8000);
      await assert.rejects(h2request(s2, '/huge', { authority: 'h2.test', headers: huge }), /ENHANCE_YOUR_CALM|REFUSED_STREAM/);
    } finally {
      s1.destroy();
      s2.destroy();
    }
  });

  test('metrics count HTTP/2 requests like any other', async () => {
    const m = await sluice.admin('/metrics');
    assert.match(m.body, /nginx_ingress_controller_requests\{[^}]*ingress="main"[^}]*status="413"/);
  });

  test('HTTP/1.1 keeps working on both ports (ALPN http/1.1, no preface)', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'plain.test' });
    assert.equal(r.status, 200);
  });

  test('attack: rapid reset (HEADERS + RST_STREAM) is cut off with GOAWAY ENHANCE_YOUR_CALM; the process stays healthy', async () => {
    const before = echo.seen.length;
    const c = await rawH2(sluice.httpPort);
    const fields: [string, string][] = [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/rapid'],
      [':authority', 'plain.test'],
    ];
    let sent = 0;
    for (let i = 0; i < 2000 && !c.closed() && c.goaway() === null; i++) {
      const id = 1 + 2 * i;
      c.send(Buffer.concat([frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, id, headerBlock(fields)), rstStream(id, ERR.CANCEL)]));
      sent++;
      if (i % 20 === 19) await sleep(1);
    }
    assert.ok(await c.waitClosed(5000), 'the connection was closed');
    assert.equal(c.goaway()?.code, ERR.ENHANCE_YOUR_CALM, `goaway ${JSON.stringify(c.goaway())} after ${sent} streams`);
    await sleep(200);
    // Work reaching the pod is bounded by the threshold (50), not by what the attacker sent.
    assert.ok(echo.seen.length - before <= 100, `pod saw ${echo.seen.length - before} requests`);
    const h = await sluice.admin('/healthz');
    assert.equal(h.status, 200);
    assert.equal((await request(sluice.httpPort, '/', { host: 'plain.test' })).status, 200);
    await sluice.waitForLog((l) => String(l.msg).includes('reset too many streams'));
  });

  test('attack: a CONTINUATION flood is cut off with bounded memory; the process stays healthy', async () => {
    const rssBefore = await rss(sluice);
    const c = await rawH2(sluice.httpPort);
    c.send(frame(FRAME.HEADERS, 0, 1, headerBlock([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'plain.test']])));
    const cont = frame(FRAME.CONTINUATION, 0, 1, headerBlock([['x-flood', 'f'.repeat(4000)]]));
    let sent = 0;
    for (let i = 0; i < 20_000 && !c.closed(); i++) {
      c.send(cont);
      sent++;
      if (i % 50 === 49) await sleep(1);
    }
    assert.ok(await c.waitClosed(5000), 'the connection was closed');
    assert.ok(sent < 20_000, `cut off after ${sent} CONTINUATION frames`);
    const g = c.goaway();
    assert.ok(g === null || g.code !== ERR.NO_ERROR, 'closed as an error');
    const rssAfter = await rss(sluice);
    assert.ok(rssAfter - rssBefore < 64 * 1024 * 1024, `memory grew by ${Math.round((rssAfter - rssBefore) / 1e6)} MB`);
    assert.equal((await sluice.admin('/healthz')).status, 200);
    assert.equal((await request(sluice.httpPort, '/', { host: 'plain.test' })).status, 200);
  });

  test('attack: streams beyond the concurrency limit are refused, and a flood of them closes the connection', async () => {
    const c = await rawH2(sluice.httpPort);
    const fields: [string, string][] = [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/slow'],
      [':authority', 'h2.test'],
    ];
    // Opens streams without ever reading: 16 are accepted, the rest refused (REFUSED_STREAM), then GOAWAY.
    for (let i = 0; i < 400 && !c.closed(); i++) c.send(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1 + 2 * i, headerBlock(fields)));
    assert.ok(await c.waitClosed(5000), 'the connection was closed');
    assert.equal((await sluice.admin('/healthz')).status, 200);
  });
});

describe('HTTP/2 connection limits and off switches', () => {
  test('keep-alive-requests ends a connection with GOAWAY after that many streams; keep-alive closes an idle one', async () => {
    const echo = await startBackend('echo');
    const dir = new ManifestDir();
    try {
      dir.write('o.yaml', [
        ...backendObjects('t', 'echo', [echo.port]),
        ingress('t', 'plain', [{ host: 'plain.test', paths: [{ service: 'echo' }] }]),
        configMap('sluice', 'cfg', { 'keep-alive-requests': '3', 'keep-alive': '1' }),
      ]);
      const s = await startSluice({ manifests: [dir.path], args: ['--enable-h2c', '--configmap', 'sluice/cfg'] });
      try {
        const a = await h2connect(`http://127.0.0.1:${s.httpPort}`);
        const goaway = new Promise<void>((r) => a.once('goaway', () => r()));
        for (let i = 0; i < 3; i++) assert.equal((await h2request(a, `/${i}`, { authority: 'plain.test' })).status, 200);
        await goaway;
        a.destroy();
        // An idle connection is closed (GOAWAY) once keep-alive (1 s) passes with no stream.
        const b = await h2connect(`http://127.0.0.1:${s.httpPort}`);
        assert.equal((await h2request(b, '/x', { authority: 'plain.test' })).status, 200);
        await new Promise<void>((r) => b.once('goaway', () => r()));
        b.destroy();
      } finally {
        await s.stop();
      }
    } finally {
      await echo.close();
      dir.cleanup();
    }
  });

  test('without --enable-h2c the preface is answered 505 and closed; use-http2 "false" offers only http/1.1', async () => {
    const dir = new ManifestDir();
    try {
      dir.write('o.yaml', [configMap('sluice', 'cfg', { 'use-http2': 'false' })]);
      const s = await startSluice({ manifests: [dir.path], args: ['--configmap', 'sluice/cfg'] });
      try {
        const out = await rawExchange(s.httpPort, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
        assert.match(out, /^HTTP\/1\.1 505 /);
        const sock = await new Promise<tlsModule.TLSSocket>((resolve, reject) => {
          const t = tlsModule.connect({ host: '127.0.0.1', port: s.httpsPort, ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false }, () => resolve(t));
          t.on('error', reject);
        });
        assert.equal(sock.alpnProtocol, 'http/1.1');
        sock.destroy();
      } finally {
        await s.stop();
      }
    } finally {
      dir.cleanup();
    }
  });
});

async function rss(s: Sluice): Promise<number> {
  const m = await s.admin('/metrics');
  const line = /sluice_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/.exec(m.body);
  return line ? Number(line[1]) : 0;
}
