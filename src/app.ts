// Wires the pipeline for one process: source → store → controller (compile) → data plane, plus
// the admin server, metrics and logs. cli/main.ts parses flags and calls start().

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import type { Options } from './cli/args.ts';
import type { CompileOptions } from './compile/compile.ts';
import { Controller } from './controller/controller.ts';
import { DataPlane } from './dataplane/dataplane.ts';
import { generateDefaultCertificate } from './dataplane/tls/default-cert.ts';
import { ExchangeObserver } from './dataplane/observer.ts';
import { createAdminServer, listenAdmin } from './admin/server.ts';
import { flushLogs, type Logger } from './log/logger.ts';
import { Metrics } from './metrics/metrics.ts';
import type { RouteTable } from './routes/table.ts';
import { ManifestSource } from './sources/manifests/source.ts';
import { Store } from './store/store.ts';
import { catalogueAsJson } from './compile/annotations/catalogue.ts';

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
  httpAddress: AddressInfo;
  adminAddress: AddressInfo;
  shutdown(reason: string): Promise<void>;
}

export async function start(opts: Options, log: Logger): Promise<RunningApp> {
  const store = new Store();
  const metrics = new Metrics({ controller_namespace: opts.controllerNamespace, controller_class: opts.controllerClass, controller_pod: opts.podName });
  client.collectDefaultMetrics({ register: metrics.registry, prefix: 'sluice_' });
  const observer = new ExchangeObserver({ metrics, accessLog: log });
  let shuttingDown = false;
  let ready = false;
  let dataplane: DataPlane | null = null;

  const controller = new Controller(
    store,
    { compile: compileOptions(opts), debounceMs: opts.debounceMs, maxDelayMs: 1000 },
    log,
    {
      compiled(result, dt) {
        metrics.compileSeconds.observe(dt);
        metrics.ingressErrors.reset();
        for (const i of result.ingresses) if (i.ours && i.errors > 0) metrics.ingressErrors.set({ namespace: i.ref.namespace ?? '', ingress: i.ref.name }, i.errors);
      },
    },
  );
  const onTable = (t: RouteTable): void => {
    metrics.configHash.set(parseInt(t.hash.slice(0, 12), 16));
    metrics.reloadSuccess.set(1);
    metrics.reloadTimestamp.set(Date.now() / 1000);
    metrics.reloads.inc();
    observer.accessLog = t.global['disable-access-log'] ? null : log;
  };

  if (opts.manifests.length === 0) {
    throw new Error('no --manifests given: Kubernetes API mode is not available in this build');
  }
  const source = new ManifestSource(opts.manifests, store, log);
  source.start();
  const initial = controller.compileNow().table;
  onTable(initial);

  dataplane = new DataPlane(
    {
      sink: observer,
      log: (level, obj, msg) => log[level](obj, msg),
      httpPort: opts.httpPort,
      httpsPort: opts.httpsPort,
      defaultCertificate: await generateDefaultCertificate(),
      debug: opts.logLevel === 'debug' || opts.logLevel === 'trace',
    },
    initial,
  );
  const dp = dataplane;
  controller.addSink({
    install: (t) => {
      dp.install(t);
      onTable(t);
    },
    updateEndpoints: (k, eps) => dp.updateEndpoints(k, eps),
  });

  const httpAddress = await dp.listenHttp({ host: opts.bindAddress, port: opts.httpPort });
  dp.ctx.httpPort = opts.httpPort === 0 ? httpAddress.port : opts.httpPort;
  log.info({ protocol: 'http', address: httpAddress.address, port: httpAddress.port }, 'listening');
  const httpsAddress = await dp.listenHttps({ host: opts.bindAddress, port: opts.httpsPort });
  dp.ctx.httpsPort = opts.httpsPort === 0 ? httpsAddress.port : opts.httpsPort;
  log.info({ protocol: 'https', address: httpsAddress.address, port: httpsAddress.port }, 'listening');

  const admin = createAdminServer({
    version: VERSION,
    health: () => (shuttingDown ? { ok: false, reason: 'shutting down' } : ready ? { ok: true, reason: '' } : { ok: false, reason: 'starting' }),
    result: () => controller.result,
    router: () => dp.router,
    metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
    sourceProblems: () => source.problems(),
    extra: { '/debug/annotations': () => catalogueAsJson() },
  });
  const adminAddress = await listenAdmin(admin, opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? opts.bindAddress : opts.bindAddress, opts.adminPort);
  log.info({ protocol: 'admin', address: adminAddress.address, port: adminAddress.port }, 'listening');
  ready = true;
  log.info({ version: VERSION, generation: initial.generation }, 'ready');

  async function shutdown(reason: string): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ reason, gracePeriodS: opts.shutdownGracePeriod }, 'shutting down: draining connections');
    source.stop();
    controller.stop();
    dp.startDrain();
    const deadline = Date.now() + opts.shutdownGracePeriod * 1000;
    while (dp.activeConnections > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const left = dp.activeConnections;
    dp.closeAll();
    admin.close();
    log.info({ closedConnections: left }, left > 0 ? 'grace period over; closed remaining connections' : 'drained');
    flushLogs();
  }

  return { httpAddress, adminAddress, shutdown };
}
