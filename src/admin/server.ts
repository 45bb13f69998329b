// Admin server (--admin-port): health, Prometheus metrics, and the debug API that replaces
// reading generated nginx.conf dumps: the live table, per-object errors, and request explain.

import { redactTable } from './redact.ts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CompileResult } from '../compile/compile.ts';
import type { Router } from '../dataplane/router.ts';
import type { RouteTable, Server } from '../routes/table.ts';
import { explain } from './explain.ts';
import { dashboardHtml } from './dashboard.ts';

export interface AdminState {
  version: string;
  /** Ready to take traffic: initial sync done and a table live, not shutting down. */
  health(): { ok: boolean; reason: string };
  result(): CompileResult | null;
  /** Router over the live table (for explain). */
  router(): Router | null;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Problems outside compile (manifest files, API connection). */
  sourceProblems(): unknown[];
  /** Extra JSON endpoints contributed by other parts (e.g. /debug/annotations). */
  extra?: Record<string, () => unknown>;
}

export { redactTable } from './redact.ts';

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value, null, 2) + '\n');
}

export function createAdminServer(state: AdminState): http.Server {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://admin');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, 'text/plain', 'method not allowed\n');
        return;
      }
      switch (url.pathname) {
        case '/healthz': {
          const h = state.health();
          send(res, h.ok ? 200 : 503, 'text/plain', h.ok ? 'ok\n' : `not ready: ${h.reason}\n`);
          return;
        }
        case '/metrics': {
          const m = await state.metrics();
          send(res, 200, m.contentType, m.body);
          return;
        }
        case '/debug/routes': {
          const r = state.result();
          if (!r) return json(res, 503, { error: 'no route table yet' });
          return json(res, 200, redactTable(r.table));
        }
        case '/debug/errors': {
          const r = state.result();
          return json(res, 200, {
            generation: r?.table.generation ?? null,
            diagnostics: r?.diagnostics ?? [],
            sources: state.sourceProblems(),
          });
        }
        case '/debug/ingresses': {
          const r = state.result();
          return json(res, 200, r?.ingresses ?? []);
        }
        case '/debug/config': {
          const r = state.result();
          return json(res, 200, r?.table.global ?? null);
        }
        case '/debug/explain': {
          const router = state.router();
          if (!router) return json(res, 503, { error: 'no route table yet' });
          const host = url.searchParams.get('host') ?? '';
          const path = url.searchParams.get('path') ?? '/';
          const method = (url.searchParams.get('method') ?? 'GET').toUpperCase();
          return json(res, 200, explain(router, host, path, method));
        }
        case '/':
        case '/dashboard':
          send(res, 200, 'text/html; charset=utf-8', dashboardHtml(state));
          return;
        default: {
          const fn = state.extra?.[url.pathname];
          if (fn) return json(res, 200, fn());
          send(res, 404, 'text/plain', 'not found\n');
        }
      }
    } catch (err) {
      send(res, 500, 'text/plain', `internal error: ${(err as Error).message}\n`);
    }
  });
  server.keepAliveTimeout = 5000;
  return server;
}

export function listenAdmin(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
