// Real HTTP backends for end-to-end tests: each answers with what it saw (method, URL, headers,
// body size) and which backend it is, and counts the TCP connections it accepted.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Seen {
  backend: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  bodyBytes: number;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

export interface Backend {
  name: string;
  port: number;
  server: http.Server;
  /** Requests seen, in order. */
  seen: Seen[];
  connections: number;
  sockets: Set<Socket>;
  /** Replace the handler (default: echo JSON). */
  handler: Handler | null;
  close(): Promise<void>;
}

/** Writes every piece with backpressure (waiting for 'drain'), then ends the response. */
export function writeAll(res: http.ServerResponse, pieces: Iterable<Buffer>): void {
  const it = pieces[Symbol.iterator]();
  const write = (): void => {
    for (let n = it.next(); !n.done; n = it.next()) if (!res.write(n.value)) return void res.once('drain', write);
    res.end();
  };
  write();
}

/** `count` copies of `chunk`. */
export function* repeat(chunk: Buffer, count: number): Generator<Buffer> {
  for (let i = 0; i < count; i++) yield chunk;
}

export async function startBackend(name: string, handler: Handler | null = null): Promise<Backend> {
  const b: Backend = {
    name,
    port: 0,
    server: undefined as unknown as http.Server,
    seen: [],
    connections: 0,
    sockets: new Set(),
    handler,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of b.sockets) s.destroy();
        b.server.close(() => resolve());
      }),
  };
  b.server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => void chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks as readonly Uint8Array[]);
      b.seen.push({ backend: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: body.length });
      if (b.handler) return b.handler(req, res, body);
      const out = JSON.stringify({ backend: name, method: req.method, url: req.url, headers: req.headers, bodyBytes: body.length });
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
      res.end(out);
    });
  });
  b.server.on('connection', (s: Socket) => {
    b.connections++;
    b.sockets.add(s);
    s.on('close', () => b.sockets.delete(s));
  });
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', r));
  b.port = (b.server.address() as AddressInfo).port;
  return b;
}
