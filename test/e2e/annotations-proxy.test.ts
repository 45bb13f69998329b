// End to end: the proxy-* annotations through the real binary — body size (413), timeouts
// (connect → 504, refused → 502, read/send → 504), proxy-next-upstream (conditions, tries,
// timeout, non_idempotent, off, invalid_header), proxy-buffer-size, request buffering on/off,
// response buffering (read-ahead), proxy-http-version 1.0 — with ingress-nginx's defaults.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { repeat, startBackend, writeAll, type Backend } from '../helpers/backend.ts';
import { startBlackhole, type Blackhole } from '../helpers/blackhole.ts';
import { backendObjects, ingress } from '../helpers/objects.ts';
import { rawExchange, request, statuses } from '../helpers/client.ts';
import { closedPort } from '../helpers/ports.ts';

const P = 'nginx.ingress.kubernetes.io/';

/** Sends a request head and then `body` in slices, until the response arrives; returns the raw response. */
function pushBody(port: number, head: string, total: number, slice = 256 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    let sent = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(out);
    };
    const chunk = Buffer.alloc(slice, 'z');
    const pump = (): void => {
      while (!done && sent < total) {
        sent += chunk.length;
        if (!sock.write(chunk)) return void sock.once('drain', pump);
      }
    };
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      out += d;
      if (/\r\n\r\n/.test(out)) setTimeout(finish, 50);
    });
    sock.on('error', (e) => (out !== '' ? finish() : reject(e)));
    sock.on('close', finish);
    sock.on('connect', () => {
      sock.write(head);
      pump();
    });
  });
}

describe('proxy annotations end to end', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let echo: Backend;
  let bad: Backend;
  let bads: Backend[];
  let slow: Backend;
  let bighead: Backend;
  let large: Backend;
  let v10: Backend;
  let hole: Blackhole;
  let nonReader: net.Server;
  let deadPort = 0;
  let largeFinished: (() => void) | null = null;
  /** Past what loopback kernel buffers hold here (~8 MB across both hops), within 8 MiB read-ahead + a little. */
  const LARGE = 10 * 1024 * 1024;

  before(async () => {
    echo = await startBackend('echo');
    const say502 = (name: string) => (_req: http.IncomingMessage, res: http.ServerResponse): void => {
      res.writeHead(502, { 'x-backend': name });
      res.end('bad gateway from the pod');
    };
    bad = await startBackend('bad', say502('bad'));
    bads = [await startBackend('bad-a', say502('bad-a')), await startBackend('bad-b', say502('bad-b')), await startBackend('bad-c', say502('bad-c'))];
    slow = await startBackend('slow', (_req, res) => {
      setTimeout(() => res.end('late'), 2500);
    });
    bighead = await startBackend('bighead', (_req, res) => {
      res.writeHead(200, { 'x-big': 'b'.repeat(6000), 'x-backend': 'bighead' });
      res.end('big head');
    });
    large = await startBackend('large', (_req, res) => {
      res.writeHead(200, { 'content-length': String(LARGE), 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(256 * 1024, 'L');
      res.once('finish', () => largeFinished?.());
      writeAll(res, repeat(chunk, LARGE / chunk.length));
    });
    v10 = await startBackend('v10', (req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ httpVersion: req.httpVersion, cl: req.headers['content-length'] ?? null, te: req.headers['transfer-encoding'] ?? null, body: body.toString('latin1') }));
    });
    hole = await startBlackhole();
    // Accepts and never reads: the request body backs up into sluice.
    nonReader = net.createServer((s) => s.pause());
    await new Promise<void>((r) => nonReader.listen(0, '127.0.0.1', r));
    deadPort = await closedPort();

    const ing = (name: string, annotations: Record<string, string>, service: string): object =>
      ingress('web', name, [{ host: `${name}.test`, paths: [{ path: '/', service }] }], { annotations });
    dir = new ManifestDir();
    dir.write('objects.yaml', [
      ...backendObjects('web', 'echo', [echo.port]),
      ...backendObjects('web', 'mixed', [bad.port, echo.port]),
      ...backendObjects('web', 'allbad', bads.map((b) => b.port)),
      ...backendObjects('web', 'slow', [slow.port]),
      ...backendObjects('web', 'hole', [hole.port]),
      ...backendObjects('web', 'hole-then-good', [hole.port, echo.port]),
      ...backendObjects('web', 'dead', [deadPort]),
      ...backendObjects('web', 'half-dead', [deadPort, echo.port]),
      ...backendObjects('web', 'nonreader', [(nonReader.address() as net.AddressInfo).port]),
      ...backendObjects('web', 'bighead', [bighead.port]),
      ...backendObjects('web', 'bighead-mixed', [bighead.port, echo.port]),
      ...backendObjects('web', 'large', [large.port]),
      ...backendObjects('web', 'v10', [v10.port]),
      ing('default', {}, 'echo'),
      ing('body-2k', { [`${P}proxy-body-size`]: '2k' }, 'echo'),
      ing('body-0', { [`${P}proxy-body-size`]: '0' }, 'echo'),
      ing('body-8m', { [`${P}proxy-body-size`]: '8m' }, 'echo'),
      ing('body-bad', { [`${P}proxy-body-size`]: '15r' }, 'echo'),
      ing('connect', { [`${P}proxy-connect-timeout`]: '1' }, 'hole'),
      ing('refused', {}, 'dead'),
      ing('read-1', { [`${P}proxy-read-timeout`]: '1' }, 'slow'),
      ing('read-5', { [`${P}proxy-read-timeout`]: '5' }, 'slow'),
      ing('send-1', { [`${P}proxy-send-timeout`]: '1', [`${P}proxy-request-buffering`]: 'off', [`${P}proxy-body-size`]: '0' }, 'nonreader'),
      ing('timeout-bad', { [`${P}proxy-read-timeout`]: '5s' }, 'echo'),
      ing('nu-default', {}, 'mixed'),
      ing('nu-502', { [`${P}proxy-next-upstream`]: 'error timeout http_502' }, 'mixed'),
      ing('nu-502-ni', { [`${P}proxy-next-upstream`]: 'error timeout http_502 non_idempotent' }, 'mixed'),
      ing('nu-off', { [`${P}proxy-next-upstream`]: 'off' }, 'half-dead'),
      ing('nu-bad', { [`${P}proxy-next-upstream`]: 'error sometimes' }, 'mixed'),
      ing('tries-2', { [`${P}proxy-next-upstream`]: 'http_502', [`${P}proxy-next-upstream-tries`]: '2' }, 'allbad'),
      ing('tries-0', { [`${P}proxy-next-upstream`]: 'http_502', [`${P}proxy-next-upstream-tries`]: '0' }, 'allbad'),
      ing('tries-default', { [`${P}proxy-next-upstream`]: 'http_502' }, 'allbad'),
      ing('nu-timeout-1', { [`${P}proxy-connect-timeout`]: '1', [`${P}proxy-next-upstream-timeout`]: '1' }, 'hole-then-good'),
      ing('nu-timeout-0', { [`${P}proxy-connect-timeout`]: '1' }, 'hole-then-good'),
      ing('bighead', {}, 'bighead'),
      ing('bighead-16k', { [`${P}proxy-buffer-size`]: '16k' }, 'bighead'),
      ing('bighead-retry', { [`${P}proxy-next-upstream`]: 'error timeout invalid_header' }, 'bighead-mixed'),
      ing('bighead-noretry', {}, 'bighead-mixed'),
      ing('reqbuf-on', { [`${P}proxy-next-upstream`]: 'error timeout http_502 non_idempotent' }, 'mixed'),
      ing('reqbuf-off', { [`${P}proxy-next-upstream`]: 'error timeout http_502 non_idempotent', [`${P}proxy-request-buffering`]: 'off' }, 'mixed'),
      ing('order-on', {}, 'echo'),
      ing('order-off', { [`${P}proxy-request-buffering`]: 'off' }, 'echo'),
      ing('buffering-on', { [`${P}proxy-buffering`]: 'on' }, 'large'),
      ing('v10', { [`${P}proxy-http-version`]: '1.0' }, 'v10'),
      ing('v11', {}, 'v10'),
      ing('v-bad', { [`${P}proxy-http-version`]: '2' }, 'v10'),
      ing('v10-errors', { [`${P}proxy-http-version`]: '1.0', [`${P}custom-http-errors`]: '502', [`${P}default-backend`]: 'echo' }, 'mixed'),
      ing('cbbs', { [`${P}client-body-buffer-size`]: '64k' }, 'echo'),
      ing('cbbs-bad', { [`${P}client-body-buffer-size`]: 'lots' }, 'echo'),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    for (const b of [echo, bad, ...(bads ?? []), slow, bighead, large, v10]) await b?.close();
    await hole?.close();
    nonReader?.close();
    dir?.cleanup();
  });

  const post = (host: string, body: Buffer | string) => request(sluice.httpPort, '/up', { method: 'POST', host, body });

  test('proxy-body-size: 1m by default, k/m units, 0 = unlimited; Content-Length and chunked bodies over it get 413', async () => {
    const twoMiB = Buffer.alloc(2 * 1024 * 1024, 'a');
    assert.equal((await post('default.test', twoMiB)).status, 413);
    assert.equal((await post('default.test', Buffer.alloc(1024 * 1024, 'a'))).status, 200);
    assert.equal((await post('body-2k.test', Buffer.alloc(3000, 'a'))).status, 413);
    assert.equal((await post('body-2k.test', Buffer.alloc(2048, 'a'))).json().bodyBytes, 2048);
    const chunked = await rawExchange(sluice.httpPort, `POST /c HTTP/1.1\r\nHost: body-2k.test\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${'b'.repeat(0x800)}\r\n10\r\n${'c'.repeat(16)}\r\n0\r\n\r\n`);
    assert.deepEqual(statuses(chunked), [413]);
    for (const host of ['body-0.test', 'body-8m.test']) {
      const r = await post(host, twoMiB);
      assert.equal(r.status, 200, host);
      assert.equal(r.json().bodyBytes, twoMiB.length, host);
    }
    assert.equal((await request(sluice.httpPort, '/', { host: 'body-bad.test' })).status, 503, 'an invalid size denies the Ingress');
  });

  test('proxy-connect-timeout: a handshake that never completes gives 504; a refused connection 502', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'connect.test' });
    assert.equal(r.status, 504);
    const log = await sluice.waitForLog((l) => l.type === 'access' && l.host === 'connect.test');
    assert.match(String(log.error), /connect to 127\.0\.0\.1:\d+ timed out/);
    assert.equal((await request(sluice.httpPort, '/', { host: 'refused.test' })).status, 502);
  });

  test('proxy-read-timeout: 504 when the pod is slower, the answer when it is within the timeout', async () => {
    assert.equal((await request(sluice.httpPort, '/', { host: 'read-1.test' })).status, 504);
    const ok = await request(sluice.httpPort, '/', { host: 'read-5.test' });
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'late');
    assert.equal((await request(sluice.httpPort, '/', { host: 'timeout-bad.test' })).status, 503, '"5s" is not a valid value (unitless seconds)');
  });

  test('proxy-send-timeout: 504 when the pod stops reading the request body', async () => {
    const raw = await pushBody(sluice.httpPort, 'POST /up HTTP/1.1\r\nHost: send-1.test\r\nContent-Length: 268435456\r\n\r\n', 256 * 1024 * 1024);
    assert.deepEqual(statuses(raw), [504]);
    const log = await sluice.waitForLog((l) => l.type === 'access' && l.host === 'send-1.test');
    assert.match(String(log.error), /proxy-send-timeout/);
  });

  test('proxy-next-upstream default (error timeout): a 502 from the pod is passed on, not retried', async () => {
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await request(sluice.httpPort, '/', { host: 'nu-default.test' })).status);
    assert.ok(got.includes(502) && got.includes(200), String(got));
  });

  test('proxy-next-upstream http_502: GET retried on the next pod; POST only with non_idempotent', async () => {
    const hitsBefore = bad.seen.length;
    for (let i = 0; i < 4; i++) {
      const r = await request(sluice.httpPort, '/', { host: 'nu-502.test' });
      assert.equal(r.status, 200);
      assert.equal(r.json().backend, 'echo');
    }
    assert.ok(bad.seen.length > hitsBefore, 'the 502 pod was tried');
    const posts = [];
    for (let i = 0; i < 4; i++) posts.push((await post('nu-502.test', 'x')).status);
    assert.ok(posts.includes(502), `a POST is not retried after it was sent: ${posts}`);
    for (let i = 0; i < 4; i++) assert.equal((await post('nu-502-ni.test', 'x')).status, 200);
  });

  test('proxy-next-upstream-tries bounds the tries (0 = every pod once); each pod tried at most once', async () => {
    const hits = (): number => bads.reduce((n, b) => n + b.seen.length, 0);
    for (const [host, want] of [['tries-2.test', 2], ['tries-0.test', 3], ['tries-default.test', 3]] as const) {
      const before = hits();
      const r = await request(sluice.httpPort, '/', { host });
      assert.equal(r.status, 502, host);
      assert.equal(hits() - before, want, host);
    }
  });

  test('proxy-next-upstream off: no retry, even for a refused connection', async () => {
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await request(sluice.httpPort, '/', { host: 'nu-off.test' })).status);
    assert.ok(got.includes(502) && got.includes(200), String(got));
    assert.equal((await request(sluice.httpPort, '/', { host: 'nu-bad.test' })).status, 503, 'an unknown condition denies the Ingress');
  });

  test('proxy-next-upstream-timeout: no further pod once the budget is spent', async () => {
    // hole-then-good: one endpoint never answers the handshake (1 s connect timeout), one is fine.
    const withBudget = [];
    for (let i = 0; i < 2; i++) withBudget.push((await request(sluice.httpPort, '/', { host: 'nu-timeout-1.test' })).status);
    assert.deepEqual(withBudget.sort(), [200, 504]);
    for (let i = 0; i < 2; i++) assert.equal((await request(sluice.httpPort, '/', { host: 'nu-timeout-0.test' })).status, 200);
  });

  test('proxy-buffer-size: response headers above it give 502 naming the limit; invalid_header retries only when listed', async () => {
    const from = sluice.logs.length;
    assert.equal((await request(sluice.httpPort, '/', { host: 'bighead.test' })).status, 502);
    const line = await sluice.waitForLog((l) => l.level === 'warn' && typeof l.msg === 'string' && l.msg.includes('too big header'), 5000, from);
    assert.match(line.msg, /proxy-buffer-size 4096/);
    const ok = await request(sluice.httpPort, '/', { host: 'bighead-16k.test' });
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'big head');
    const noretry = [];
    for (let i = 0; i < 4; i++) noretry.push((await request(sluice.httpPort, '/', { host: 'bighead-noretry.test' })).status);
    assert.ok(noretry.includes(502), `invalid_header is not part of the default: ${noretry}`);
    for (let i = 0; i < 4; i++) assert.equal((await request(sluice.httpPort, '/', { host: 'bighead-retry.test' })).status, 200);
  });

  test('proxy-request-buffering on (default): the pod sees nothing until the whole body arrived', async () => {
    let clientDone = false;
    const order: boolean[] = [];
    const onConn = (): void => void order.push(clientDone);
    echo.server.on('connection', onConn);
    try {
      const sock = net.connect(sluice.httpPort, '127.0.0.1');
      let out = '';
      sock.setEncoding('latin1');
      sock.on('data', (d: string) => (out += d));
      await new Promise<void>((r) => sock.once('connect', r));
      // A fresh upstream connection is needed to observe the moment: close the idle ones first.
      for (const s of echo.sockets) s.destroy();
      sock.write(`POST /up HTTP/1.1\r\nHost: order-on.test\r\nContent-Length: 200000\r\n\r\n${'x'.repeat(100000)}`);
      await new Promise((r) => setTimeout(r, 300));
      clientDone = true;
      sock.write('y'.repeat(100000));
      await new Promise<void>((r, j) => {
        const t = setTimeout(() => j(new Error(`no response: ${out}`)), 5000);
        sock.on('data', () => {
          if (out.includes('"bodyBytes":200000')) {
            clearTimeout(t);
            r();
          }
        });
      });
      sock.destroy();
      assert.ok(order.length >= 1, 'the pod was contacted');
      assert.deepEqual(order, order.map(() => true), 'only after the client sent the whole body');
    } finally {
      echo.server.off('connection', onConn);
    }
  });

  test('proxy-request-buffering off: the body streams, the pod is contacted before it is complete', async () => {
    for (const s of echo.sockets) s.destroy();
    const contacted = new Promise<void>((r) => echo.server.once('connection', () => r()));
    const sock = net.connect(sluice.httpPort, '127.0.0.1');
    let out = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (out += d));
    await new Promise<void>((r) => sock.once('connect', r));
    sock.write(`POST /up HTTP/1.1\r\nHost: order-off.test\r\nContent-Length: 200000\r\n\r\n${'x'.repeat(100000)}`);
    await contacted; // with buffering on this would never resolve before the rest is sent
    sock.write('y'.repeat(100000));
    await new Promise<void>((r, j) => {
      const t = setTimeout(() => j(new Error(`no response: ${out}`)), 5000);
      const check = (): void => {
        if (out.includes('"bodyBytes":200000')) {
          clearTimeout(t);
          r();
        }
      };
      sock.on('data', check);
      check();
    });
    sock.destroy();
  });

  test('a buffered body can be resent to the next pod; a streamed one that started to flow cannot', async () => {
    const body = Buffer.alloc(900 * 1024, 'q');
    for (let i = 0; i < 4; i++) {
      const r = await post('reqbuf-on.test', body);
      assert.equal(r.status, 200);
      assert.equal(r.json().bodyBytes, body.length);
    }
    const off = [];
    for (let i = 0; i < 4; i++) off.push((await post('reqbuf-off.test', body)).status);
    assert.ok(off.includes(502), `a streamed body is not resent: ${off}`);
  });

  test('proxy-buffering on: the response is read ahead of a client that does not read, releasing the pod early', async () => {
    const finished = new Promise<void>((r) => (largeFinished = r));
    const sock = net.connect(sluice.httpPort, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', r));
    sock.pause();
    sock.write('GET /big HTTP/1.1\r\nHost: buffering-on.test\r\n\r\n');
    // More than the kernel buffers hold on both hops: the pod can only finish writing because
    // sluice keeps reading ahead of the client.
    await Promise.race([finished, new Promise((_, j) => setTimeout(() => j(new Error('the pod could not finish its response')), 15_000))]);
    let bytes = 0;
    let head = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`read ${bytes} bytes`)), 15_000);
      sock.on('data', (d: Buffer) => {
        if (head === '' || !head.includes('\r\n\r\n')) {
          head += d.toString('latin1');
          const i = head.indexOf('\r\n\r\n');
          if (i >= 0) bytes += Buffer.byteLength(head, 'latin1') - i - 4;
        } else bytes += d.length;
        if (bytes >= LARGE) {
          clearTimeout(t);
          resolve();
        }
      });
      sock.resume();
    });
    sock.destroy();
    assert.match(head, /^HTTP\/1\.1 200/);
    assert.equal(bytes, LARGE);
  });

  test('proxy-http-version 1.0: HTTP/1.0 upstream requests, chunked bodies sent with Content-Length, no upstream keep-alive', async () => {
    const before = v10.connections;
    const a = (await request(sluice.httpPort, '/', { host: 'v10.test' })).json();
    const b = (await request(sluice.httpPort, '/', { host: 'v10.test' })).json();
    assert.equal(a.httpVersion, '1.0');
    assert.equal(b.httpVersion, '1.0');
    assert.equal(v10.connections - before, 2, 'one connection per request');
    const raw = await rawExchange(sluice.httpPort, 'POST /c HTTP/1.1\r\nHost: v10.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n');
    assert.deepEqual(statuses(raw), [200]);
    const seen = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    assert.deepEqual(seen, { httpVersion: '1.0', cl: '11', te: null, body: 'hello world' });
    const v11 = (await request(sluice.httpPort, '/', { host: 'v11.test' })).json();
    assert.equal(v11.httpVersion, '1.1');
    assert.equal((await request(sluice.httpPort, '/', { host: 'v-bad.test' })).status, 503);
    // The decoded body also reaches an error backend (custom-http-errors), framed by its length.
    let viaErrorPage = 0;
    for (let i = 0; i < 4; i++) {
      const r = await rawExchange(sluice.httpPort, 'POST /c HTTP/1.1\r\nHost: v10-errors.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
      assert.deepEqual(statuses(r), [200]);
      // The echo backend may answer chunked: take the JSON document out of the body.
      const seen = JSON.parse(/\{.*\}/s.exec(r.slice(r.indexOf('\r\n\r\n') + 4))![0]) as { headers: Record<string, string>; bodyBytes: number; method: string };
      assert.equal(seen.bodyBytes, 5);
      assert.equal(seen.method, 'POST');
      if (seen.headers['x-code'] === '502') viaErrorPage++;
    }
    assert.ok(viaErrorPage > 0, 'some requests went to the 502 pod and then to the error backend');
  });

  test('client-body-buffer-size is validated', async () => {
    assert.equal((await post('cbbs.test', 'hello')).status, 200);
    assert.equal((await request(sluice.httpPort, '/', { host: 'cbbs-bad.test' })).status, 503);
  });
});
