// HTTP clients for tests: a keep-alive client over node:http, and raw socket exchanges for
// malformed input and pipelining.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  method?: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: http.Agent | false;
  timeoutMs?: number;
}

export function request(port: number, path: string, o: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.host !== undefined) headers.host = o.host;
    const req = http.request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers, agent: o.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.setTimeout(o.timeoutMs ?? 10_000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    if (o.body !== undefined) req.end(o.body);
    else req.end();
  });
}

/** Sends raw bytes, returns everything received until the server closes or `idleMs` passes. */
export function rawExchange(port: number, data: string | Buffer, idleMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    let timer: NodeJS.Timeout | null = null;
    const done = (): void => {
      if (timer) clearTimeout(timer);
      sock.destroy();
      resolve(out);
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(done, idleMs);
    };
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      out += d;
      arm();
    });
    sock.on('end', done);
    sock.on('error', (e) => (out ? done() : reject(e)));
    sock.on('connect', () => {
      sock.write(data);
      arm();
    });
  });
}

/** Status codes of every response in a raw HTTP/1.1 byte stream. */
export function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
}

export interface TlsReply extends Reply {
  /** subjectAltName of the certificate the server presented. */
  peerNames: string;
}

/** One HTTPS request (no certificate verification) with the given SNI name and Host header. */
export function httpsRequest(port: number, path: string, o: RequestOptions & { servername: string }): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...o.headers, host: o.host ?? o.servername };
    const req = https.request(
      { host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers, servername: o.servername, rejectUnauthorized: false, agent: false },
      (res) => {
        const peerNames = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subjectaltname ?? '';
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: <T>() => JSON.parse(text) as T, peerNames });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(o.timeoutMs ?? 10_000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(o.body);
  });
}
