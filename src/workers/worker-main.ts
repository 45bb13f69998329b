// Entry point of a data-plane worker process: it only serves traffic. The primary sends the
// route table (and every later table and endpoint update), the default certificate and the TLS
// ticket keys; the worker binds the shared ports with SO_REUSEPORT so the kernel spreads
// connections across workers.

import cluster from 'node:cluster';
import v8 from 'node:v8';
import module from 'node:module';
import client from 'prom-client';
import { DataPlane } from '../dataplane/dataplane.ts';
import { ExchangeObserver } from '../dataplane/observer.ts';
import { createLogger, flushLogs, type Logger } from '../log/logger.ts';
import { Metrics } from '../metrics/metrics.ts';
import type { FromWorker, InitMessage, ToWorker } from './messages.ts';
import type { RouteTable } from '../routes/table.ts';

module.enableCompileCache?.();

// Constructing one installs prom-client's worker-side listener that answers the primary's metric
// requests; done at load so a request arriving before 'init' is answered (empty) not dropped.
new client.AggregatorRegistry();
client.AggregatorRegistry.setRegistries([]);

let dp: DataPlane | null = null;
let log: Logger | null = null;
let observer: ExchangeObserver | null = null;
let draining = false;

function send(m: FromWorker): void {
  process.send?.(m);
}

async function init(m: InitMessage): Promise<void> {
  const o = m.opts;
  log = createLogger(o.logLevel).child({ worker: cluster.worker?.id ?? 0 });
  const metrics = new Metrics({ controller_namespace: o.controllerNamespace, controller_class: o.controllerClass, controller_pod: o.podName }, new client.Registry(), { request: true, controller: false });
  client.AggregatorRegistry.setRegistries([metrics.registry]);
  const l = log;
  observer = new ExchangeObserver({ metrics, accessLog: m.table.global['disable-access-log'] ? null : l });
  dp = new DataPlane(
    { sink: observer, log: (level, obj, msg) => l[level](obj, msg), httpPort: m.httpPort, httpsPort: m.httpsPort, defaultCertificate: m.defaultCertificate, debug: o.logLevel === 'debug' || o.logLevel === 'trace', enableH2c: o.enableH2c },
    m.table,
  );
  for (const [k, eps] of m.endpoints) dp.updateEndpoints(k, eps);
  try {
    const http = await dp.listenHttp({ host: o.bindAddress, port: m.httpPort, reusePort: true });
    const https = await dp.listenHttps({ host: o.bindAddress, port: m.httpsPort, reusePort: true }, m.ticketKeys);
    dp.ctx.httpPort = http.port;
    dp.ctx.httpsPort = https.port;
    send({ type: 'listening', httpPort: http.port, httpsPort: https.port });
    send({ type: 'installed', generation: m.table.generation });
  } catch (err) {
    send({ type: 'fatal', message: (err as Error).message });
    flushLogs();
    process.exit(1);
  }
}

async function drain(graceS: number): Promise<void> {
  if (draining || !dp) return;
  draining = true;
  dp.startDrain();
  const deadline = Date.now() + graceS * 1000;
  while (dp.activeConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  dp.closeAll();
  flushLogs();
  process.exit(0);
}

process.on('message', (raw: unknown) => {
  const m = raw as ToWorker;
  switch (m.type) {
    case 'init':
      void init(m);
      return;
    case 'table':
      if (dp) {
        const e = m.encoded;
        const table = v8.deserialize(Buffer.isBuffer(e) ? e : Buffer.from(e.buffer, e.byteOffset, e.byteLength)) as RouteTable;
        dp.install(table);
        if (observer && log) observer.accessLog = table.global['disable-access-log'] ? null : log;
        send({ type: 'installed', generation: table.generation });
      }
      return;
    case 'endpoints':
      dp?.updateEndpoints(m.key, m.endpoints);
      return;
    case 'ticket-keys':
      dp?.https?.setTicketKeys(Buffer.from(m.keys));
      return;
    case 'drain':
      void drain(m.gracePeriodS);
      return;
  }
});

// The primary decides about shutdown; a worker ignores signals sent to the process group and
// exits if the primary goes away.
process.on('SIGTERM', () => {});
process.on('SIGINT', () => {});
process.on('disconnect', () => {
  flushLogs();
  process.exit(0);
});
process.on('uncaughtException', (err) => {
  log?.error({ err: err.stack }, 'uncaught exception in worker');
});
