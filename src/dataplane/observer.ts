// Where finished exchanges go: request metrics (children cached per route target, so the hot path
// does no label hashing) and the access log line.

import type { Counter, Histogram } from 'prom-client';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { ExchangeRecord, ExchangeSink } from './context.ts';
import type { Target } from './router.ts';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE'];

function methodIndex(m: string): number {
  const i = METHODS.indexOf(m);
  return i < 0 ? METHODS.length : i;
}

interface Children {
  requests: ReturnType<Counter['labels']>;
  duration: ReturnType<Histogram['labels']>;
  upstream: ReturnType<Histogram['labels']>;
  reqSize: ReturnType<Histogram['labels']>;
  respSize: ReturnType<Histogram['labels']>;
}

export interface ObserverOptions {
  metrics: Metrics | null;
  accessLog: Logger | null;
}

export class ExchangeObserver implements ExchangeSink {
  metrics: Metrics | null;
  accessLog: Logger | null;
  /** Children for requests that matched no target (parse errors). */
  readonly #untargeted = new Map<number, Children>();

  constructor(opts: ObserverOptions) {
    this.metrics = opts.metrics;
    this.accessLog = opts.accessLog;
  }

  record(rec: ExchangeRecord, target: unknown): void {
    const m = this.metrics;
    if (m !== null) {
      const t = target as Target | null;
      let cache: Map<number, unknown>;
      if (t === null) cache = this.#untargeted as Map<number, unknown>;
      else cache = t.metrics ??= new Map();
      const key = rec.status * 16 + methodIndex(rec.method);
      let c = cache.get(key) as Children | undefined;
      if (c === undefined) {
        const labels = {
          ingress: rec.ingress,
          namespace: rec.namespace,
          service: rec.service,
          status: String(rec.status),
          method: methodIndex(rec.method) < METHODS.length ? rec.method : 'OTHER',
          path: rec.path,
          host: rec.serverHost,
          canary: '',
        };
        c = {
          requests: m.requests.labels(labels),
          duration: m.requestDuration.labels(labels),
          upstream: m.responseDuration.labels(labels),
          reqSize: m.requestSize.labels(labels),
          respSize: m.responseSize.labels(labels),
        };
        cache.set(key, c);
      }
      c.requests.inc();
      c.duration.observe(rec.durationS);
      if (rec.upstreamStatus !== 0) c.upstream.observe(rec.upstreamDurationS);
      c.reqSize.observe(rec.requestBytes);
      c.respSize.observe(rec.responseBytes);
    }
    const log = this.accessLog;
    if (log !== null) {
      log.info(
        {
          type: 'access',
          client: rec.clientIp,
          method: rec.method,
          host: rec.host,
          uri: rec.uri,
          protocol: rec.httpVersion,
          status: rec.status,
          bytes: rec.responseBytes,
          requestBytes: rec.requestBytes,
          duration: Math.round(rec.durationS * 1e6) / 1e6,
          upstream: rec.upstreamAddr,
          upstreamStatus: rec.upstreamStatus === 0 ? null : rec.upstreamStatus,
          upstreamDuration: rec.upstreamStatus === 0 ? null : Math.round(rec.upstreamDurationS * 1e6) / 1e6,
          namespace: rec.namespace,
          ingress: rec.ingress,
          service: rec.service,
          servicePort: rec.servicePort,
          path: rec.path,
          requestId: rec.requestId,
          ...(rec.error !== '' ? { error: rec.error } : {}),
        },
        'request',
      );
    }
  }
}
