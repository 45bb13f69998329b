// What a connection needs from the data plane, as one object with fixed shape: the live router,
// limits derived from the global config, and the sinks for finished exchanges.

import type { Socket } from 'node:net';
import type { GlobalConfig } from '../compile/config.ts';
import type { RealIp } from './real-ip.ts';
import type { Router } from './router.ts';

export interface ExchangeRecord {
  /** Epoch ms when the request head was complete. */
  startMs: number;
  durationS: number;
  clientIp: string;
  method: string;
  scheme: string;
  host: string;
  uri: string;
  httpVersion: string;
  status: number;
  requestBytes: number;
  responseBytes: number;
  upstreamAddr: string;
  upstreamStatus: number;
  upstreamDurationS: number;
  requestId: string;
  namespace: string;
  ingress: string;
  service: string;
  servicePort: string;
  path: string;
  serverHost: string;
  userAgent: string;
  error: string;
}

/** A record with every field empty: a connection refills one per exchange. */
export function emptyExchangeRecord(): ExchangeRecord {
  return {
    startMs: 0,
    durationS: 0,
    clientIp: '',
    method: '',
    scheme: 'http',
    host: '',
    uri: '',
    httpVersion: '',
    status: 0,
    requestBytes: 0,
    responseBytes: 0,
    upstreamAddr: '',
    upstreamStatus: 0,
    upstreamDurationS: 0,
    requestId: '',
    namespace: '',
    ingress: '',
    service: '',
    servicePort: '',
    path: '',
    serverHost: '',
    userAgent: '',
    error: '',
  };
}

export interface ExchangeSink {
  /** Called once per finished (or aborted) exchange. */
  record(rec: ExchangeRecord, target: unknown): void;
}

export interface DataPlaneLimits {
  /** Longest request line (414 beyond). */
  maxRequestLine: number;
  /** Largest request head (431 beyond). */
  maxHead: number;
  keepAliveMs: number;
  keepAliveRequests: number;
  clientHeaderTimeoutMs: number;
  clientBodyTimeoutMs: number;
  sendTimeoutMs: number;
}

export interface ConnContext {
  router: Router;
  cfg: GlobalConfig;
  /** Real-IP processing for `cfg`, or null when the socket peer is the client (see real-ip.ts). */
  realIp: RealIp | null;
  limits: DataPlaneLimits;
  sink: ExchangeSink;
  /** True once shutdown began: responses carry Connection: close, idle connections close. */
  draining: boolean;
  /** Listener ports, for X-Forwarded-Port. */
  httpPort: number;
  httpsPort: number;
  onConnectionClosed(conn: unknown): void;
  /** With --enable-h2c: takes a cleartext socket that began with the HTTP/2 preface (bytes read so far in `head`). */
  h2c: ((socket: Socket, head: Buffer) => void) | null;
  log: (level: 'warn' | 'error' | 'info' | 'debug', obj: Record<string, unknown>, msg: string) => void;
}
