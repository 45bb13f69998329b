// End to end: gRPC through sluice. A real grpc-js server is the backend (backend-protocol GRPC
// over h2c, GRPCS over TLS); a grpc-js client reaches sluice over TLS (test CA, ALPN h2) or h2c
// (--enable-h2c). All four call kinds, metadata, trailers, error statuses, deadlines, the proxy
// read timeout on an idle stream, and an unreachable pod.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { backendObjects, ingress, tlsSecret } from '../helpers/objects.ts';
import { makeCa, makeCert, type Pem } from '../helpers/certs.ts';
import { echoClient, startGrpcBackend, unary, type EchoClient, type GrpcBackend, type Msg } from '../helpers/grpc.ts';
import { closedPort } from '../helpers/ports.ts';

function collect<T>(call: NodeJS.EventEmitter): Promise<{ items: T[]; status: grpc.StatusObject | null; error: grpc.ServiceError | null; metadata: grpc.Metadata | null }> {
  return new Promise((resolve) => {
    const items: T[] = [];
    let error: grpc.ServiceError | null = null;
    let metadata: grpc.Metadata | null = null;
    call.on('data', (m: T) => items.push(m));
    call.on('metadata', (m: grpc.Metadata) => (metadata = m));
    call.on('error', (e: grpc.ServiceError) => (error = e));
    call.on('status', (status: grpc.StatusObject) => setImmediate(() => resolve({ items, status, error, metadata })));
  });
}

const A = 'nginx.ingress.kubernetes.io/';

describe('gRPC through sluice', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let plain: GrpcBackend;
  let secure: GrpcBackend;
  let ca: Pem;
  let h2c: EchoClient;
  let tlsClient: EchoClient;
  let tlsToGrpcs: EchoClient;

  before(async () => {
    ca = await makeCa();
    const site = await makeCert(['grpc.test', 'grpcs.test'], { ca });
    const podCa = await makeCa('pod CA');
    const pod = await makeCert(['pod.internal'], { ca: podCa });
    plain = await startGrpcBackend('plain');
    secure = await startGrpcBackend('secure', pod);
    const dead = await closedPort();
    dir = new ManifestDir();
    dir.write('grpc.yaml', [
      ...backendObjects('default', 'plain', [plain.port]),
      ...backendObjects('default', 'secure', [secure.port]),
      ...backendObjects('default', 'dead', [dead]),
      tlsSecret('default', 'site', site.cert, site.key),
      // proxy-body-size "0": a gRPC stream's request body is the sum of its messages (nginx's client_max_body_size applies to it).
      ingress('default', 'grpc', [{ host: 'grpc.test', paths: [{ service: 'plain' }] }], { annotations: { [`${A}backend-protocol`]: 'GRPC', [`${A}proxy-body-size`]: '0' }, tls: [{ hosts: ['grpc.test'], secretName: 'site' }] }),
      ingress('default', 'grpcs', [{ host: 'grpcs.test', paths: [{ service: 'secure' }] }], { annotations: { [`${A}backend-protocol`]: 'GRPCS' }, tls: [{ hosts: ['grpcs.test'], secretName: 'site' }] }),
      ingress('default', 'h2c', [{ host: 'h2c.test', paths: [{ service: 'plain' }] }], { annotations: { [`${A}backend-protocol`]: 'GRPC', [`${A}proxy-body-size`]: '0' } }),
      ingress('default', 'limited', [{ host: 'limited.test', paths: [{ service: 'plain' }] }], { annotations: { [`${A}backend-protocol`]: 'GRPC' } }),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pod-ca', namespace: 'default' }, data: { 'ca.crt': Buffer.from(podCa.cert).toString('base64') } },
      ingress('default', 'grpcs-verified', [{ host: 'verified.test', paths: [{ service: 'secure' }] }], {
        annotations: { [`${A}backend-protocol`]: 'GRPCS', [`${A}proxy-ssl-secret`]: 'pod-ca', [`${A}proxy-ssl-verify`]: 'on', [`${A}proxy-ssl-name`]: 'pod.internal' },
      }),
      ingress('default', 'grpcs-wrong-name', [{ host: 'wrongname.test', paths: [{ service: 'secure' }] }], {
        annotations: { [`${A}backend-protocol`]: 'GRPCS', [`${A}proxy-ssl-secret`]: 'pod-ca', [`${A}proxy-ssl-verify`]: 'on', [`${A}proxy-ssl-name`]: 'other.internal' },
      }),
      ingress('default', 'slow', [{ host: 'slow.test', paths: [{ service: 'plain' }] }], { annotations: { [`${A}backend-protocol`]: 'GRPC', [`${A}proxy-read-timeout`]: '1' } }),
      ingress('default', 'dead', [{ host: 'dead.test', paths: [{ service: 'dead' }] }], { annotations: { [`${A}backend-protocol`]: 'GRPC' } }),
    ]);
    sluice = await startSluice({ manifests: [dir.path], args: ['--enable-h2c'] });
    h2c = echoClient(sluice.httpPort, 'h2c.test');
    tlsClient = echoClient(sluice.httpsPort, 'grpc.test', ca.cert);
    tlsToGrpcs = echoClient(sluice.httpsPort, 'grpcs.test', ca.cert);
  });

  after(async () => {
    for (const c of [h2c, tlsClient, tlsToGrpcs]) c?.close();
    await sluice?.stop();
    await plain?.close();
    await secure?.close();
    dir?.cleanup();
  });

  for (const kind of ['h2c', 'tls'] as const) {
    const client = (): EchoClient => (kind === 'h2c' ? h2c : tlsClient);

    test(`${kind}: unary call with metadata both ways and trailers`, async () => {
      const r = await unary(client(), { text: 'hi', count: 7 }, { 'x-test': 'abc' });
      assert.equal(r.response.text, 'plain:hi');
      assert.equal(r.response.count, 7);
      assert.equal(r.metadata.get('x-backend')[0], 'plain');
      assert.equal(r.metadata.get('x-echo')[0], 'abc');
      assert.equal(r.status.code, grpc.status.OK);
      assert.equal(r.status.metadata.get('x-trailer')[0], 'done');
      // The backend saw the forwarded headers sluice adds.
      assert.equal(plain.lastMetadata!.get('x-forwarded-proto')[0], kind === 'tls' ? 'https' : 'http');
      assert.ok(plain.lastMetadata!.get('x-request-id')[0]);
    });

    test(`${kind}: server streaming`, async () => {
      const call = (client().ServerStream as (r: Msg) => grpc.ClientReadableStream<Msg>)({ text: 's', count: 5, delayMs: 10 });
      const r = await collect<Msg>(call);
      assert.equal(r.error, null);
      assert.deepEqual(r.items.map((m) => m.text), ['s-0', 's-1', 's-2', 's-3', 's-4']);
      assert.equal(r.status!.metadata.get('x-trailer')[0], 'streamed');
    });

    test(`${kind}: client streaming`, async () => {
      const res = await new Promise<Msg>((resolve, reject) => {
        const call = (client().ClientStream as (cb: (e: grpc.ServiceError | null, r: Msg) => void) => grpc.ClientWritableStream<Msg>)((e, r) => (e ? reject(e) : resolve(r)));
        for (const t of ['a', 'b', 'c', 'd']) call.write({ text: t, count: 0, delayMs: 0 });
        call.end();
      });
      assert.equal(res.text, 'a,b,c,d');
      assert.equal(res.count, 4);
    });

    test(`${kind}: bidirectional streaming, message by message`, async () => {
      const call = (client().Bidi as () => grpc.ClientDuplexStream<Msg, Msg>)();
      const got: string[] = [];
      const done = collect<Msg>(call);
      // Each answer arrives before the next message is sent: nothing is buffered on the way.
      for (let i = 0; i < 5; i++) {
        const next = new Promise<Msg>((r) => call.once('data', r));
        call.write({ text: `m${i}`, count: i, delayMs: 0 });
        got.push((await next).text);
      }
      call.end();
      const r = await done;
      assert.deepEqual(got, ['plain:m0', 'plain:m1', 'plain:m2', 'plain:m3', 'plain:m4']);
      assert.equal(r.error, null);
      assert.equal(r.status!.metadata.get('x-trailer')[0], 'bidi');
    });

    test(`${kind}: large messages both ways (flow control on both HTTP/2 legs)`, async () => {
      const call = (client().Bidi as () => grpc.ClientDuplexStream<Msg, Msg>)();
      const done = collect<Msg>(call);
      const big = 'x'.repeat(256 * 1024);
      for (let i = 0; i < 8; i++) call.write({ text: `${i}${big}`, count: i, delayMs: 0 });
      call.end();
      const r = await done;
      assert.equal(r.error, null);
      assert.equal(r.items.length, 8);
      assert.ok(r.items.every((m, i) => m.text.length === big.length + 7 && m.text.startsWith(`plain:${i}`)));
    });

    test(`${kind}: an error status and its trailers reach the client`, async () => {
      const e = (await unary(client(), { text: 'fail' }).then(
        () => null,
        (err: unknown) => err,
      )) as grpc.ServiceError;
      assert.ok(e);
      assert.equal(e.code, grpc.status.NOT_FOUND);
      assert.equal(e.details, 'no such thing: fail');
      assert.equal(e.metadata.get('x-error-detail')[0], 'missing');
    });
  }

  test('a stream whose messages add up past proxy-body-size (1m) ends with RESOURCE_EXHAUSTED', async () => {
    const limited = echoClient(sluice.httpPort, 'limited.test');
    try {
      const call = (limited.Bidi as () => grpc.ClientDuplexStream<Msg, Msg>)();
      const done = collect<Msg>(call);
      const big = 'x'.repeat(256 * 1024);
      for (let i = 0; i < 8; i++) call.write({ text: `${i}${big}`, count: i, delayMs: 0 });
      call.end();
      const r = await done;
      assert.equal(r.error?.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.match(r.error!.details, /proxy-body-size/);
    } finally {
      limited.close();
    }
  });

  test('a client deadline cancels the call, and the backend sees the cancellation', async () => {
    const before = plain.cancelled;
    const e = (await unary(h2c, { text: 'slow', delayMs: 3000 }, {}, 300).then(
      () => null,
      (err: unknown) => err,
    )) as grpc.ServiceError;
    assert.equal(e?.code, grpc.status.DEADLINE_EXCEEDED);
    for (let i = 0; i < 50 && plain.cancelled === before; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(plain.cancelled > before, 'the cancellation reached the backend');
  });

  test('GRPCS: TLS to the pod (certificate not verified by default), client over TLS', async () => {
    const r = await unary(tlsToGrpcs, { text: 'x' });
    assert.equal(r.response.text, 'secure:x');
    const call = (tlsToGrpcs.Bidi as () => grpc.ClientDuplexStream<Msg, Msg>)();
    const done = collect<Msg>(call);
    call.write({ text: 'one', count: 1, delayMs: 0 });
    call.write({ text: 'two', count: 2, delayMs: 0 });
    call.end();
    const out = await done;
    assert.deepEqual(out.items.map((m) => m.text), ['secure:one', 'secure:two']);
  });

  test('GRPCS with proxy-ssl-verify: the pod certificate is checked against ca.crt and proxy-ssl-name', async () => {
    const ok = echoClient(sluice.httpPort, 'verified.test');
    const bad = echoClient(sluice.httpPort, 'wrongname.test');
    try {
      assert.equal((await unary(ok, { text: 'v' })).response.text, 'secure:v');
      const e = (await unary(bad, { text: 'v' }).then(
        () => null,
        (err: unknown) => err,
      )) as grpc.ServiceError;
      assert.equal(e?.code, grpc.status.UNAVAILABLE);
    } finally {
      ok.close();
      bad.close();
    }
  });

  test('a stream idle longer than proxy-read-timeout ends with DEADLINE_EXCEEDED after the messages so far', async () => {
    const slow = echoClient(sluice.httpPort, 'slow.test');
    try {
      const call = (slow.ServerStream as (r: Msg) => grpc.ClientReadableStream<Msg>)({ text: 'z', count: 3, delayMs: 2500 });
      const r = await collect<Msg>(call);
      assert.deepEqual(r.items.map((m) => m.text), ['z-0']);
      assert.equal(r.error?.code, grpc.status.DEADLINE_EXCEEDED);
      assert.match(r.error!.details, /proxy-read-timeout/);
    } finally {
      slow.close();
    }
  });

  test('an unreachable pod is UNAVAILABLE (HTTP 502 from sluice)', async () => {
    const deadClient = echoClient(sluice.httpPort, 'dead.test');
    try {
      const e = (await unary(deadClient, { text: 'x' }).then(
        () => null,
        (err: unknown) => err,
      )) as grpc.ServiceError;
      assert.equal(e?.code, grpc.status.UNAVAILABLE);
      assert.match(e.details, /502/);
    } finally {
      deadClient.close();
    }
  });

  test('gRPC calls are logged and counted like any request (protocol HTTP/2.0)', async () => {
    await unary(h2c, { text: 'logged' });
    const line = await sluice.waitForLog((r) => r.type === 'access' && r.host === 'h2c.test' && r.uri === '/sluicetest.Echo/Unary' && r.status === 200);
    assert.equal(line.protocol, 'HTTP/2.0');
    assert.equal(line.ingress, 'h2c');
    const m = await sluice.admin('/metrics');
    assert.match(m.body, /nginx_ingress_controller_requests\{[^}]*ingress="h2c"[^}]*status="200"/);
  });
});
