// The fake Kubernetes API server: HTTPS on loopback with a throwaway CA, bearer-token auth,
// discovery, REST list/watch on the types in resources.ts, a request log, and faults.

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectAccess, type KubeObject, type PatchType, type TypeRef } from './direct-access.ts';
import { coreVersions, FAKE_VERSION, group, groupList, resourceList } from './discovery.ts';
import { Faults } from './faults.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { managerFromUserAgent } from './managed-fields.ts';
import { Registry } from './registry.ts';
import { matchesFilter, RequestLog, type RequestFilter, type RequestRecord, type Verb } from './request-log.ts';
import { handleResource, resourceVerb, sendJson } from './resource-handler.ts';
import { resourceId } from './resources.ts';
import { route, type Route } from './routing.ts';
import { ApiError, errors } from './status.ts';
import { VersionedStore } from './store.ts';
import { makeServerPki } from './tls.ts';
import { WatchStream, type WatchRequest } from './watch-stream.ts';

export interface FakeApiServerOptions {
  /** Changes kept for watch/Exact-list resumption; older resourceVersions get 410. Default 1000. */
  compactionWindow?: number;
  /** BOOKMARK period for watches with allowWatchBookmarks=true. Default 60000 (about the real API's). */
  bookmarkIntervalMs?: number;
  /** Bearer token clients must present. Default: random. */
  token?: string;
  /** Loopback address to listen on. Default '127.0.0.1'. */
  host?: '127.0.0.1' | '::1';
  /** Port; default 0 (any free port, kept across down()/up()). */
  port?: number;
  /** How long a watch without timeoutSeconds stays open. Default 30 min (the real API: 30–60 min). */
  watchTimeoutMs?: number;
  /** Namespaces that exist at start. Default: default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
}

interface OpenWatch {
  stream: WatchStream;
  record: RequestRecord;
}

function acceptsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const type = part.split(';')[0].trim().toLowerCase();
    return type === '*/*' || type === 'application/*' || type === 'application/json';
  });
}

export class FakeApiServer {
  readonly token: string;
  readonly caCert: string;
  readonly host: string;
  readonly faults: Faults;
  private readonly objects: DirectAccess;
  private readonly server: Server;
  private readonly registry: Registry;
  private readonly log = new RequestLog();
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<OpenWatch>();
  private readonly stalls = new Set<() => void>();
  private readonly tempDirs: string[] = [];
  private readonly bookmarkIntervalMs: number;
  private readonly watchTimeoutMs: number;
  private boundPort = 0;
  private listening = false;
  private closed = false;

  constructor(opts: FakeApiServerOptions, pki: { caCert: string; cert: string; key: string }) {
    this.token = opts.token ?? randomBytes(24).toString('base64url');
    this.caCert = pki.caCert;
    this.host = opts.host ?? '127.0.0.1';
    if (this.host !== '127.0.0.1' && this.host !== '::1') throw new Error('fake apiserver listens on loopback only');
    this.boundPort = opts.port ?? 0;
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 60_000;
    this.watchTimeoutMs = opts.watchTimeoutMs ?? 30 * 60_000;
    this.registry = new Registry(new VersionedStore(opts.compactionWindow ?? 1000));
    this.objects = new DirectAccess(this.registry);
    for (const ns of opts.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    this.faults = new Faults({
      dropWatches: (f) => this.eachWatch(f, (w) => w.stream.drop()),
      endWatches: (f) => this.eachWatch(f, (w) => w.stream.end()),
      compact: () => this.registry.store.compact(),
      down: () => this.down(),
      up: () => this.listen(),
    });
    this.server = createServer({ key: pki.key, cert: pki.cert }, (req, res) => {
      this.onRequest(req, res).catch((e: unknown) => this.fail(res, e));
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A client that aborts mid-handshake is routine in fault tests, not an error.
    this.server.on('tlsClientError', () => {});
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `https://${this.host === '::1' ? '[::1]' : this.host}:${this.boundPort}`;
  }

  /** Newest resourceVersion, as a list would report it. */
  get resourceVersion(): string {
    return String(this.registry.store.rv);
  }

  /** Every request received so far (bounded to the last 10 000). */
  get requests(): readonly RequestRecord[] {
    return this.log.all();
  }

  count(filter?: RequestFilter): number {
    return this.log.count(filter);
  }

  /** Watches currently open (matching `filter`). */
  openWatches(filter?: RequestFilter): number {
    let n = 0;
    for (const w of this.watches) if (matchesFilter(w.record, filter)) n++;
    return n;
  }

  clearRequests(): void {
    this.log.clear();
  }

  // Direct store access for tests: the same semantics as API writes (watchers see the same
  // events), but namespaces are created on demand and create keeps a given status.

  /** Creates an object; throws ApiError (e.g. 409 AlreadyExists, 422 Invalid). */
  create<T extends KubeObject>(obj: T): T {
    return this.objects.create(obj);
  }

  /** Replaces an object like PUT: status is kept; a stale metadata.resourceVersion throws 409. */
  update<T extends KubeObject>(obj: T): T {
    return this.objects.update(obj);
  }

  /** Replaces .status only, like PUT on /status. */
  updateStatus<T extends KubeObject>(obj: T): T {
    return this.objects.updateStatus(obj);
  }

  /** Creates or overwrites regardless of resourceVersion (status included). */
  upsert<T extends KubeObject>(obj: T): T {
    return this.objects.upsert(obj);
  }

  patch<T extends KubeObject = KubeObject>(
    ref: TypeRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType = 'merge',
    opts: { subresource?: 'status' } = {},
  ): T {
    return this.objects.patch(ref, namespace, name, patch, type, opts);
  }

  /** Deletes; returns the deleted object, or undefined if there was none. */
  delete<T extends KubeObject = KubeObject>(ref: TypeRef, namespace: string | undefined, name: string): T | undefined {
    return this.objects.delete(ref, namespace, name);
  }

  get<T extends KubeObject = KubeObject>(ref: TypeRef, namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(ref, namespace, name);
  }

  list<T extends KubeObject = KubeObject>(ref: TypeRef, namespace?: string, selectors?: { labelSelector?: string; fieldSelector?: string }): T[] {
    return this.objects.list(ref, namespace, selectors);
  }

  /** A kubeconfig YAML with this server's URL, CA and token (`token` overrides, e.g. to test 401). */
  kubeconfig(opts: { namespace?: string; token?: string } = {}): string {
    return renderKubeconfig({ server: this.url, caCert: this.caCert, token: opts.token ?? this.token, namespace: opts.namespace });
  }

  /** Writes kubeconfig() to `path`, or to a temp file removed by close(); returns the path. */
  async writeKubeconfig(path?: string, opts: { namespace?: string; token?: string } = {}): Promise<string> {
    let target = path;
    if (!target) {
      const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-'));
      this.tempDirs.push(dir);
      target = join(dir, 'kubeconfig');
    }
    await writeFile(target, this.kubeconfig(opts), { mode: 0o600 });
    return target;
  }

  /** Stops everything: listener, connections, watches, stalls, temp files. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.faults.reset();
    await this.down();
    await Promise.all(this.tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }

  async listen(): Promise<void> {
    if (this.closed) throw new Error('fake apiserver is closed');
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.boundPort, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const addr = this.server.address();
    if (addr && typeof addr === 'object') this.boundPort = addr.port;
    this.listening = true;
  }

  private async down(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.eachWatch(undefined, (w) => w.stream.drop());
    for (const release of [...this.stalls]) release();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private eachWatch(filter: RequestFilter | undefined, act: (w: OpenWatch) => void): number {
    let n = 0;
    for (const w of [...this.watches]) {
      if (!matchesFilter(w.record, filter)) continue;
      act(w);
      n++;
    }
    return n;
  }

  private openWatch(res: ServerResponse, request: WatchRequest, record: RequestRecord): void {
    const entry: OpenWatch = {
      record,
      stream: new WatchStream(this.registry, res, request, {
        bookmarkIntervalMs: this.bookmarkIntervalMs,
        onClose: () => this.watches.delete(entry),
      }),
    };
    this.watches.add(entry);
    record.status = 200;
    entry.stream.start();
  }

  /** Holds a request for `ms`, or until the server goes down. */
  private hold(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.stalls.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.stalls.add(release);
    });
  }

  private record(req: IncomingMessage, url: URL, r: Route, verb: Verb): RequestRecord {
    const rec: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      verb,
      status: 0,
      at: Date.now(),
    };
    if (r.type === 'resource') {
      rec.resource = resourceId(r.rt);
      if (r.subresource) rec.subresource = r.subresource;
      if (r.namespace) rec.namespace = r.namespace;
      if (r.name) rec.name = r.name;
    }
    if (req.headers['user-agent']) rec.userAgent = req.headers['user-agent'];
    if (req.headers['content-type']) rec.contentType = req.headers['content-type'];
    return rec;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://fake.invalid');
    const r = route(url.pathname);
    const verb: Verb =
      r.type === 'resource' ? resourceVerb(req.method ?? 'GET', r, url.searchParams)
      : r.type === 'version' ? 'version'
      : r.type === 'health' ? 'health'
      : r.type === 'unknown' ? 'unknown'
      : 'discovery';
    const rec = this.record(req, url, r, verb);
    this.log.add(rec);
    res.setHeader('Audit-Id', randomUUID());
    res.on('finish', () => {
      if (rec.status === 0) rec.status = res.statusCode;
    });
    try {
      if (r.type === 'version') return sendJson(res, 200, FAKE_VERSION);
      if (r.type === 'health') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        return void res.end('ok');
      }
      if (req.headers.authorization !== `Bearer ${this.token}`) throw errors.unauthorized();
      if (!acceptsJson(req)) throw errors.notAcceptable();
      // Faults apply to authenticated API requests only (never to /version or health checks).
      const stallMs = this.faults.stallFor(rec);
      if (stallMs > 0) {
        rec.fault = 'stall';
        await this.hold(stallMs);
        if (res.destroyed || !this.listening) return;
      }
      const failWith = this.faults.takeFailure(rec);
      if (failWith !== undefined) {
        rec.fault = 'failNext';
        throw errors.injected(failWith);
      }
      switch (r.type) {
        case 'core-versions':
          return sendJson(res, 200, coreVersions(`${this.host}:${this.boundPort}`));
        case 'groups':
          return sendJson(res, 200, groupList());
        case 'group':
          return sendJson(res, 200, group(r.group));
        case 'resources':
          return sendJson(res, 200, resourceList(r.group, r.version));
        case 'resource':
          return await handleResource(
            {
              registry: this.registry,
              openWatch: (wres, request) => this.openWatch(wres, request, rec),
              defaultWatchTimeoutMs: this.watchTimeoutMs,
            },
            req,
            res,
            r,
            url.searchParams,
            verb,
            managerFromUserAgent(req.headers['user-agent']),
          );
        default:
          throw errors.noRoute();
      }
    } catch (e) {
      this.fail(res, e);
    }
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const status = e instanceof ApiError ? e.status : errors.internal(e instanceof Error ? e.message : String(e)).status;
    sendJson(res, status.code, status);
  }
}

/** Starts a fake API server on loopback; `await api.close()` when done. */
export async function startFakeApiServer(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const server = new FakeApiServer(opts, await makeServerPki());
  await server.listen();
  return server;
}
