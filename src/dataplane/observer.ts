// Where finished exchanges go: request metrics (a series per target, status and method, cached
// on the target so the hot path does no label work) and the access log line.

import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { observe, SIZE_BUCKETS, TIME_BUCKETS, type RequestSeries } from '../metrics/request-metrics.ts';
import type { ExchangeRecord, ExchangeSink } from './context.ts';
import type { Target } from './router.ts';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE'];

function methodIndex(m: string): number {
  switch (m) {
    case 'GET':
      return 0;
    case 'POST':
      return 1;
    default: {
      const i = METHODS.indexOf(m);
      return i < 0 ? METHODS.length : i;
    }
  }
}

export interface ObserverOptions {
  metrics: Metrics | null;
  accessLog: Logger | null;
}

export class ExchangeObserver implements ExchangeSink {
  metrics: Metrics | null;
  accessLog: Logger | null;
  /** Series for requests that matched no target (parse errors). */
  readonly #untargeted = new Map<number, unknown>();

  constructor(opts: ObserverOptions) {
    this.metrics = opts.metrics;
    this.accessLog = opts.accessLog;
  }

  record(rec: ExchangeRecord, target: unknown): void {
    const rm = this.metrics?.request ?? null;
    if (rm !== null) {
      const t = target as Target | null;
      const cache = t === null ? this.#untargeted : (t.metrics ??= new Map());
      const mi = methodIndex(rec.method);
      const key = rec.status * 16 + mi;
      let s = cache.get(key) as RequestSeries | undefined;
      if (s === undefined) {
        s = rm.series({
          ingress: rec.ingress,
          namespace: rec.namespace,
          service: rec.service,
          status: String(rec.status),
          method: mi < METHODS.length ? rec.method : 'OTHER',
          path: rec.path,
          host: rec.serverHost,
          canary: '',
        });
        cache.set(key, s);
      }
      s.count++;
      observe(s.duration, TIME_BUCKETS, rec.durationS);
      if (rec.upstreamStatus !== 0) observe(s.upstream, TIME_BUCKETS, rec.upstreamDurationS);
      observe(s.reqSize, SIZE_BUCKETS, rec.requestBytes);
      observe(s.respSize, SIZE_BUCKETS, rec.responseBytes);
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
