// The Kubernetes API as sluice uses it: JSON requests and watch streams, authenticated by
// @kubernetes/client-node's KubeConfig (in-cluster service account, kubeconfig files, exec and
// token-file providers, client certificates).
//
// Requests go through one kept-alive undici dispatcher instead of client-node's typed clients:
// those build a new TLS connection for every call and turn every object into class instances
// (Dates, renamed fields), which at 10,000 objects costs more than the list itself. Objects stay
// in their wire JSON shape end to end. Watches use client-node's `Watch` (one connection each).

import { hostname } from 'node:os';
import { HttpMethod, KubeConfig, RequestContext, Watch } from '@kubernetes/client-node';
import { fetch, type Dispatcher } from 'undici';

export type Json = Record<string, unknown>;

/** A failed API call: `code` is the HTTP status (0 when the server was not reached). */
export class ApiError extends Error {
  readonly code: number;
  /** The Kubernetes Status reason (NotFound, Conflict, Expired, ...), when the server sent one. */
  readonly reason: string;

  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandle {
  abort(): void;
}

/** Why a watch stream ended badly: `status` is the HTTP status of a refused watch, else 0. */
export class WatchFailed extends Error {
  readonly status: number;
  /** client-node's inactivity timeout fired: the stream was silent, not broken. */
  readonly idle: boolean;

  constructor(message: string, status: number, idle: boolean) {
    super(message);
    this.status = status;
    this.idle = idle;
  }
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Content-Type for the body (default application/json). */
  contentType?: string;
  timeoutMs?: number;
}

/** What the rest of sluice needs from the API server; one implementation, swappable in tests. */
export interface KubeApi {
  readonly server: string;
  request<T = Json>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, o?: RequestOptions): Promise<T>;
  /**
   * Opens a watch. `onEvent` gets each event; `onDone` is called once when the stream ends: with
   * null for a clean end (server-side timeout), a WatchFailed otherwise.
   */
  watch(path: string, query: Record<string, string | undefined>, onEvent: (type: WatchEventType, obj: Json) => void, onDone: (err: WatchFailed | null) => void): Promise<WatchHandle>;
}

export const MERGE_PATCH = 'application/merge-patch+json';

/**
 * Loads credentials: --kubeconfig when given, else the in-cluster service account when running
 * in a pod, else $KUBECONFIG, else ~/.kube/config.
 */
export function loadKubeConfig(path: string | null, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`no cluster in ${path ?? 'the kubeconfig'} (current context "${kc.getCurrentContext()}")`);
  return kc;
}

// Kept-alive connections are re-created now and then, so rotated client certificates (exec
// providers) are picked up.
const DISPATCHER_TTL_MS = 5 * 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
// A watch with no bytes for this long is presumed dead (bookmarks arrive about once a minute).
const WATCH_IDLE_MS = 150_000;

export class ClientNodeApi implements KubeApi {
  readonly server: string;
  readonly #kc: KubeConfig;
  readonly #watch: Watch;
  readonly #userAgent: string;
  #dispatcher: Dispatcher | undefined;
  #dispatcherAt = 0;

  constructor(kc: KubeConfig, userAgent = `sluice/${hostname()}`) {
    this.#kc = kc;
    this.server = kc.getCurrentCluster()!.server.replace(/\/+$/, '');
    this.#watch = new Watch(kc);
    // Private in the typings, public at run time: client-node aborts a watch silent for 30 s,
    // which would reconnect quiet resources every 30 s; bookmarks keep ours busier than that.
    (this.#watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = WATCH_IDLE_MS;
    this.#userAgent = userAgent;
  }

  async #auth(url: string, method: HttpMethod): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
    const ctx = new RequestContext(url, method);
    await this.#kc.applySecurityAuthentication(ctx); // fresh token (token files are re-read)
    const now = Date.now();
    if (this.#dispatcherAt === 0 || now - this.#dispatcherAt > DISPATCHER_TTL_MS) {
      const old = this.#dispatcher;
      this.#dispatcher = ctx.getDispatcher() as Dispatcher | undefined;
      this.#dispatcherAt = now;
      // Requests in flight on the old one finish; then its sockets close.
      if (old) old.close().catch(() => {});
    }
    return { headers: ctx.getHeaders(), dispatcher: this.#dispatcher };
  }

  #url(path: string, query?: Record<string, string | undefined>): string {
    const u = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  }

  async request<T = Json>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, o: RequestOptions = {}): Promise<T> {
    const url = this.#url(path, o.query);
    const { headers, dispatcher } = await this.#auth(url, method as HttpMethod);
    headers['accept'] = 'application/json';
    headers['user-agent'] = this.#userAgent;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    let res;
    try {
      res = await fetch(url, { method, headers, body, dispatcher, signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      throw new ApiError(0, 'Unreachable', `${method} ${path}: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
    }
    const text = await res.text();
    if (res.status >= 200 && res.status < 300) return (text === '' ? {} : JSON.parse(text)) as T;
    let reason = '';
    let message = text.slice(0, 300);
    try {
      const st = JSON.parse(text) as { reason?: string; message?: string };
      reason = st.reason ?? '';
      message = st.message ?? message;
    } catch {
      // not a Status
    }
    throw new ApiError(res.status, reason, `${method} ${path}: ${res.status} ${message}`);
  }

  async watch(path: string, query: Record<string, string | undefined>, onEvent: (type: WatchEventType, obj: Json) => void, onDone: (err: WatchFailed | null) => void): Promise<WatchHandle> {
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q[k] = v;
    const ctl = await this.#watch.watch(
      path,
      q,
      (type: string, obj: Json) => onEvent(type as WatchEventType, obj),
      (err: unknown) => {
        if (!err) return onDone(null);
        const e = err as Error & { statusCode?: number };
        const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
        onDone(new WatchFailed(status ? `watch ${path}: ${status} ${e.message}` : `watch ${path}: ${describeError(err)}`, status, e.name === 'TimeoutError'));
      },
    );
    return { abort: () => ctl.abort() };
  }
}

/** Errors worth a short log line, not a stack. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
