// Ports and small HTTP clients for readiness checks and body checks.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';

function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports on 127.0.0.1 from a random base in 20000–32000 (below the
 * kernel's default ephemeral range, so client connections will not take them meanwhile).
 */
export async function allocatePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * ((32000 - 20000 - count) / 10)) * 10;
    const ports = Array.from({ length: count }, (_, i) => base + i);
    let ok = true;
    for (const p of ports) {
      if (!(await portFree(p))) {
        ok = false;
        break;
      }
    }
    if (ok) return ports;
  }
  throw new Error(`no ${count} consecutive free ports found in 20000-32000`);
}

export async function waitPortsFree(ports: readonly number[], timeoutMs = 10_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let all = true;
    for (const p of ports) if (!(await portFree(p))) all = false;
    if (all) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface GetResult {
  status: number;
  body: Buffer;
  headers: http.IncomingHttpHeaders;
  /** Negotiated TLS version ("TLSv1.3") for https, else null. */
  tlsProtocol: string | null;
}

export interface GetOptions {
  port: number;
  path?: string;
  host?: string;
  tls?: boolean;
  /** SNI server name (https only). */
  servername?: string;
  timeoutMs?: number;
  agent?: http.Agent;
}

export function httpGet(o: GetOptions): Promise<GetResult> {
  return new Promise((resolve, reject) => {
    const mod = o.tls ? https : http;
    const headers: Record<string, string> = {};
    if (o.host) headers.host = o.host;
    const opts: https.RequestOptions = {
      host: '127.0.0.1',
      port: o.port,
      path: o.path ?? '/',
      method: 'GET',
      headers,
      timeout: o.timeoutMs ?? 5000,
      agent: o.agent ?? false,
    };
    if (o.tls) {
      opts.rejectUnauthorized = false;
      if (o.servername) opts.servername = o.servername;
    }
    const req = mod.request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const sock = res.socket as TLSSocket | null;
        const proto = o.tls && sock && typeof sock.getProtocol === 'function' ? sock.getProtocol() : null;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers, tlsProtocol: proto ?? null });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${o.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls until GET answers with a 2xx (or `accept` says yes); false on timeout. */
export async function waitHttp(o: GetOptions, timeoutMs: number, intervalMs = 50, accept?: (r: GetResult) => boolean): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await httpGet({ ...o, timeoutMs: Math.min(1000, o.timeoutMs ?? 1000) });
      if (accept ? accept(r) : r.status >= 200 && r.status < 300) return true;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** True when something accepts TCP connections on the port. */
export function tcpOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}
