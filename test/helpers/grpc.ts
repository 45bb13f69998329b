// A real gRPC backend (grpc-js server, all four call kinds) and a typed client factory for the
// end-to-end tests. The service answers with the backend name so tests see where a call went.

import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { Pem } from './certs.ts';

const PROTO = fileURLToPath(new URL('./echo.proto', import.meta.url));
const definition = loader.loadSync(PROTO, { keepCase: false, longs: String, defaults: true });
const pkg = grpc.loadPackageDefinition(definition) as unknown as { sluicetest: { Echo: grpc.ServiceClientConstructor } };
export const Echo = pkg.sluicetest.Echo;

export interface Msg {
  text: string;
  count: number;
  delayMs: number;
}

export interface GrpcBackend {
  name: string;
  port: number;
  server: grpc.Server;
  /** Calls the client cancelled (deadline, RST_STREAM) as the server saw them. */
  cancelled: number;
  /** Metadata of the last call, as received. */
  lastMetadata: grpc.Metadata | null;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startGrpcBackend(name: string, tls: Pem | null = null): Promise<GrpcBackend> {
  const b: GrpcBackend = {
    name,
    port: 0,
    server: new grpc.Server(),
    cancelled: 0,
    lastMetadata: null,
    close: () => new Promise<void>((r) => b.server.tryShutdown(() => r())),
  };
  const trailer = (k: string, v: string): grpc.Metadata => {
    const m = new grpc.Metadata();
    m.set(k, v);
    return m;
  };
  const initial = (call: { metadata: grpc.Metadata; on(ev: 'cancelled', f: () => void): unknown; sendMetadata(m: grpc.Metadata): void }): void => {
    b.lastMetadata = call.metadata;
    call.on('cancelled', () => b.cancelled++);
    const m = new grpc.Metadata();
    m.set('x-backend', name);
    const echo = call.metadata.get('x-test')[0];
    if (echo !== undefined) m.set('x-echo', String(echo));
    call.sendMetadata(m);
  };
  b.server.addService(Echo.service, {
    async Unary(call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) {
      initial(call);
      const req = call.request;
      if (req.delayMs > 0) await sleep(req.delayMs);
      if (call.cancelled) return;
      if (req.text === 'fail') {
        cb({ code: grpc.status.NOT_FOUND, details: 'no such thing: fail', metadata: trailer('x-error-detail', 'missing') });
        return;
      }
      cb(null, { text: `${name}:${req.text}`, count: req.count, delayMs: 0 }, trailer('x-trailer', 'done'));
    },
    async ServerStream(call: grpc.ServerWritableStream<Msg, Msg>) {
      initial(call);
      const req = call.request;
      for (let i = 0; i < req.count; i++) {
        if (call.cancelled) return;
        call.write({ text: `${req.text}-${i}`, count: i, delayMs: 0 });
        if (req.delayMs > 0) await sleep(req.delayMs);
      }
      if (!call.cancelled) call.end(trailer('x-trailer', 'streamed'));
    },
    ClientStream(call: grpc.ServerReadableStream<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) {
      initial(call);
      const texts: string[] = [];
      call.on('data', (m: Msg) => texts.push(m.text));
      call.on('end', () => cb(null, { text: texts.join(','), count: texts.length, delayMs: 0 }, trailer('x-trailer', 'collected')));
    },
    Bidi(call: grpc.ServerDuplexStream<Msg, Msg>) {
      initial(call);
      call.on('data', (m: Msg) => call.write({ text: `${name}:${m.text}`, count: m.count, delayMs: 0 }));
      call.on('end', () => call.end(trailer('x-trailer', 'bidi')));
    },
  });
  const creds = tls === null ? grpc.ServerCredentials.createInsecure() : grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }], false);
  b.port = await new Promise<number>((resolve, reject) => b.server.bindAsync('127.0.0.1:0', creds, (err, port) => (err ? reject(err) : resolve(port))));
  return b;
}

export type EchoClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** A client to sluice: h2c (no ca) or TLS trusting `ca`, with `authority` as :authority and SNI. */
export function echoClient(port: number, authority: string, ca: string | null = null): EchoClient {
  const creds = ca === null ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(Buffer.from(ca));
  const options: grpc.ClientOptions = { 'grpc.default_authority': authority };
  if (ca !== null) options['grpc.ssl_target_name_override'] = authority;
  return new Echo(`127.0.0.1:${port}`, creds, options) as unknown as EchoClient;
}

export interface UnaryResult {
  response: Msg;
  metadata: grpc.Metadata;
  status: grpc.StatusObject;
}

/** A unary call with its initial metadata and final status (trailers). */
export function unary(client: EchoClient, req: Partial<Msg>, md: Record<string, string> = {}, deadlineMs = 10_000): Promise<UnaryResult> {
  return new Promise((resolve, reject) => {
    const meta = new grpc.Metadata();
    for (const [k, v] of Object.entries(md)) meta.set(k, v);
    let metadata = new grpc.Metadata();
    let response: Msg | null = null;
    let error: grpc.ServiceError | null = null;
    const call = (client.Unary as (r: unknown, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Msg) => void) => grpc.ClientUnaryCall)(
      { text: '', count: 0, delayMs: 0, ...req },
      meta,
      { deadline: Date.now() + deadlineMs },
      (e, r) => {
        error = e;
        response = r;
      },
    );
    call.on('metadata', (m: grpc.Metadata) => (metadata = m));
    call.on('status', (status: grpc.StatusObject) => {
      // The callback runs before 'status'.
      setImmediate(() => {
        if (error !== null) reject(Object.assign(error, { statusObject: status, initialMetadata: metadata }));
        else resolve({ response: response!, metadata, status });
      });
    });
  });
}
