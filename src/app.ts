// Wires the pipeline: source → store → controller (compile) → data plane, plus the admin server,
// metrics and logs. With --workers 1 the data plane runs in this process; with N > 1 this
// process is the primary (control loop, compile, admin) and N worker processes serve traffic.

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import type { Options } from './cli/args.ts';
import type { CompileOptions } from './compile/compile.ts';
import { catalogueAsJson } from './compile/annotations/catalogue.ts';
import { Controller } from './controller/controller.ts';
import { DataPlane } from './dataplane/dataplane.ts';
import { ExchangeObserver } from './dataplane/observer.ts';
import { Router } from './dataplane/router.ts';
import { BackendRegistry } from './dataplane/upstream/backends.ts';
import { PoolRegistry } from './dataplane/upstream/pool.ts';
import { generateDefaultCertificate } from './dataplane/tls/default-cert.ts';
import { backendUses } from './dataplane/dataplane.ts';
import { createAdminServer, listenAdmin, type AdminState } from './admin/server.ts';
import { flushLogs, type Logger } from './log/logger.ts';
import { Metrics } from './metrics/metrics.ts';
import type { RouteTable } from './routes/table.ts';
import { ManifestSource } from './sources/manifests/source.ts';
import type { ClusterMode } from './sources/kubernetes/cluster.ts';
import { Store } from './store/store.ts';
import { WorkerPool } from './workers/pool.ts';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function compileOptions(o: Options): CompileOptions {
  return {
    ingressClass: o.ingressClass,
    controllerClass: o.controllerClass,
    watchWithoutClass: o.watchIngressWithoutClass,
    defaultBackendService: o.defaultBackendService,
    configMap: o.configmap,
    annotationsPrefix: o.annotationsPrefix,
    allowCrossNamespaceSecrets: o.allowCrossNamespaceSecrets,
    defaultSslCertificate: o.defaultSslCertificate,
  };
}

export interface RunningApp {
  httpPort: number;
  httpsPort: number;
  adminAddress: AddressInfo;
  shutdown(reason: string): Promise<void>;
}

/** The control plane: store, source, controller and the controller-side metrics. */
interface ControlPlane {
  store: Store;
  controller: Controller;
  metrics: Metrics;
  /** Loads the objects and compiles the first table (cluster mode: after the initial sync). */
  start(): Promise<RouteTable>;
  /** Why there is no first table yet (for /healthz). */
  startingReason(): string;
  sourceProblems(): unknown[];
  stop(): Promise<void>;
  /** Controller metrics for a newly published table. */
  tablePublished(t: RouteTable): void;
}

async function createControlPlane(opts: Options, log: Logger, metrics: Metrics): Promise<ControlPlane> {
  const store = new Store();
  let cluster: ClusterMode | null = null;
  const controller = new Controller(
    store,
    { compile: compileOptions(opts), debounceMs: opts.debounceMs, maxDelayMs: 1000 },
    log,
    {
      compiled(result, dt) {
        metrics.compileSeconds.observe(dt);
        metrics.ingressErrors.reset();
        for (const i of result.ingresses) if (i.ours && i.errors > 0) metrics.ingressErrors.set({ namespace: i.ref.namespace ?? '', ingress: i.ref.name }, i.errors);
        for (const k of ['Ingress', 'IngressClass', 'Service', 'EndpointSlice', 'Secret', 'ConfigMap'] as const) metrics.objects.set({ kind: k }, store.count(k));
        cluster?.compiled(result);
      },
    },
  );
  const tablePublished = (t: RouteTable): void => {
    metrics.configHash.set(parseInt(t.hash.slice(0, 12), 16));
    metrics.reloadSuccess.set(1);
    metrics.reloadTimestamp.set(Date.now() / 1000);
    metrics.reloads.inc();
    metrics.setCertificateExpiry(t);
  };
  const publishFirst = (): RouteTable => {
    const initial = controller.compileNow().table;
    tablePublished(initial);
    return initial;
  };

  if (opts.manifests.length > 0) {
    const source = new ManifestSource(opts.manifests, store, log);
    return {
      store,
      controller,
      metrics,
      async start() {
        source.start();
        return publishFirst();
      },
      startingReason: () => 'loading manifests',
      sourceProblems: () => source.problems(),
      async stop() {
        source.stop();
        controller.stop();
      },
      tablePublished,
    };
  }

  // Cluster mode: the Kubernetes API. Nothing is compiled before every initial list is in.
  // Loaded only in cluster mode: @kubernetes/client-node alone is ~90 MB of RSS.
  const { createClusterMode } = await import('./sources/kubernetes/cluster.ts');
  const c = createClusterMode(opts, compileOptions(opts), store, controller, log, metrics.registry);
  cluster = c;
  return {
    store,
    controller,
    metrics,
    async start() {
      await c.initialSync();
      const initial = publishFirst();
      c.activate();
      return initial;
    },
    startingReason: () => c.syncReason(),
    sourceProblems: () => c.problems(),
    async stop() {
      controller.stop();
      await c.stop();
    },
    tablePublished,
  };
}

function labelsOf(opts: Options): ConstructorParameters<typeof Metrics>[0] {
  return { controller_namespace: opts.controllerNamespace, controller_class: opts.controllerClass, controller_pod: opts.podName };
}

async function startAdmin(opts: Options, log: Logger, state: Omit<AdminState, 'version' | 'extra'>): Promise<{ address: AddressInfo; close(): void }> {
  const admin = createAdminServer({ ...state, version: VERSION, extra: { '/debug/annotations': () => catalogueAsJson() } });
  const address = await listenAdmin(admin, opts.bindAddress, opts.adminPort);
  log.info({ protocol: 'admin', address: address.address, port: address.port }, 'listening');
  return { address, close: () => admin.close() };
}

export async function start(opts: Options, log: Logger): Promise<RunningApp> {
  return opts.workers > 1 ? startPrimary(opts, log) : startSingle(opts, log);
}

/** --workers 1: everything in this process. */
async function startSingle(opts: Options, log: Logger): Promise<RunningApp> {
  const metrics = new Metrics(labelsOf(opts));
  client.collectDefaultMetrics({ register: metrics.registry, prefix: 'sluice_' });
  const cp = await createControlPlane(opts, log, metrics);
  let dp: DataPlane | null = null;
  let ready = false;
  let shuttingDown = false;
  // The admin server answers (503 with the reason) while the first table is being built.
  const admin = await startAdmin(opts, log, {
    health: () => (shuttingDown ? { ok: false, reason: 'shutting down' } : ready ? { ok: true, reason: '' } : { ok: false, reason: cp.startingReason() }),
    result: () => cp.controller.result,
    router: () => dp?.router ?? null,
    metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
    sourceProblems: () => cp.sourceProblems(),
  });
  const initial = await cp.start();
  const observer = new ExchangeObserver({ metrics, accessLog: initial.global['disable-access-log'] ? null : log });
  const plane = new DataPlane(
    {
      sink: observer,
      log: (level, obj, msg) => log[level](obj, msg),
      httpPort: opts.httpPort,
      httpsPort: opts.httpsPort,
      defaultCertificate: await generateDefaultCertificate(),
      debug: opts.logLevel === 'debug' || opts.logLevel === 'trace',
      enableH2c: opts.enableH2c,
    },
    initial,
  );
  dp = plane;
  cp.controller.addSink({
    install: (t) => {
      plane.install(t);
      cp.tablePublished(t);
      observer.accessLog = t.global['disable-access-log'] ? null : log;
    },
    updateEndpoints: (k, eps) => plane.updateEndpoints(k, eps),
  });

  const http = await plane.listenHttp({ host: opts.bindAddress, port: opts.httpPort });
  plane.ctx.httpPort = http.port;
  log.info({ protocol: 'http', address: http.address, port: http.port }, 'listening');
  const https = await plane.listenHttps({ host: opts.bindAddress, port: opts.httpsPort });
  plane.ctx.httpsPort = https.port;
  log.info({ protocol: 'https', address: https.address, port: https.port }, 'listening');

  ready = true;
  log.info({ version: VERSION, generation: initial.generation, workers: 1 }, 'ready');

  return {
    httpPort: http.port,
    httpsPort: https.port,
    adminAddress: admin.address,
    async shutdown(reason) {
      if (shuttingDown) return;
      shuttingDown = true;
      log.info({ reason, gracePeriodS: opts.shutdownGracePeriod }, 'shutting down: draining connections');
      const stopped = cp.stop();
      plane.startDrain();
      const deadline = Date.now() + opts.shutdownGracePeriod * 1000;
      while (plane.activeConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const left = plane.activeConnections;
      plane.closeAll();
      await stopped;
      admin.close();
      log.info({ closedConnections: left }, left > 0 ? 'grace period over; closed remaining connections' : 'drained');
      flushLogs();
    },
  };
}

/** --workers N > 1: this process runs the control loop and admin; N workers serve traffic. */
async function startPrimary(opts: Options, log: Logger): Promise<RunningApp> {
  const registry = new client.Registry();
  const metrics = new Metrics(labelsOf(opts), registry, { request: false, controller: true });
  client.collectDefaultMetrics({ register: registry, prefix: 'sluice_primary_' });
  const aggregator = new client.AggregatorRegistry();
  const cp = await createControlPlane(opts, log, metrics);
  let pool: WorkerPool | null = null;
  let shuttingDown = false;

  // A router over the live table for /debug/explain (never connects anywhere).
  const explainBackends = new BackendRegistry(new PoolRegistry());
  let explainRouter: Router | null = null;
  const setExplain = (t: RouteTable): void => {
    explainBackends.sync(t.backends, backendUses(t));
    explainRouter = new Router(t, explainBackends);
  };

  const admin = await startAdmin(opts, log, {
    health: () => {
      if (shuttingDown) return { ok: false, reason: 'shutting down' };
      if (!pool) return { ok: false, reason: cp.startingReason() };
      if (!pool.allReady) return { ok: false, reason: `workers not ready (${pool.workerCount}/${opts.workers} running)` };
      return { ok: true, reason: '' };
    },
    result: () => cp.controller.result,
    router: () => explainRouter,
    metrics: async () => {
      const workers = await aggregator.clusterMetrics();
      return { contentType: registry.contentType, body: `${await registry.metrics()}\n${workers}` };
    },
    sourceProblems: () => cp.sourceProblems(),
  });

  const initial = await cp.start();
  const workers = new WorkerPool(opts, log, initial, await generateDefaultCertificate());
  setExplain(initial);
  cp.controller.addSink({
    install: (t) => {
      workers.install(t);
      setExplain(t);
      cp.tablePublished(t);
    },
    updateEndpoints: (k, eps) => {
      workers.updateEndpoints(k, eps);
      explainBackends.updateEndpoints(k, eps);
    },
  });

  await workers.start();
  pool = workers;
  const ports = workers.ports;
  log.info({ protocol: 'http', address: opts.bindAddress, port: ports.http, workers: opts.workers }, 'listening');
  log.info({ protocol: 'https', address: opts.bindAddress, port: ports.https, workers: opts.workers }, 'listening');
  log.info({ version: VERSION, generation: initial.generation, workers: opts.workers }, 'ready');

  return {
    httpPort: ports.http,
    httpsPort: ports.https,
    adminAddress: admin.address,
    async shutdown(reason) {
      if (shuttingDown) return;
      shuttingDown = true;
      log.info({ reason, gracePeriodS: opts.shutdownGracePeriod }, 'shutting down: draining workers');
      const stopped = cp.stop();
      await workers.drain(opts.shutdownGracePeriod);
      await stopped;
      admin.close();
      log.info({}, 'drained');
      flushLogs();
    },
  };
}
