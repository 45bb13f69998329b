// Prometheus metrics under ingress-nginx's names (nginx_ingress_controller_*), so existing
// dashboards and alerts keep working. Request metrics are labelled by Ingress, Service and
// Ingress path (never the raw URI), which bounds cardinality by configuration, not traffic.

import client from 'prom-client';
import { RequestMetrics } from './request-metrics.ts';

export const PREFIX = 'nginx_ingress_controller_';


export interface ControllerLabels {
  controller_namespace: string;
  controller_class: string;
  controller_pod: string;
}

export class Metrics {
  readonly registry: client.Registry;
  /** Request metrics (null when this registry only carries controller metrics). */
  readonly request: RequestMetrics | null;
  readonly configHash: client.Gauge;
  readonly reloadSuccess: client.Gauge;
  readonly reloadTimestamp: client.Gauge;
  readonly reloads: client.Counter;
  readonly sslExpire: client.Gauge<'host' | 'secret_name' | 'namespace'>;
  readonly compileSeconds: client.Histogram;
  readonly objects: client.Gauge<'kind'>;
  readonly ingressErrors: client.Gauge<'namespace' | 'ingress'>;

  /**
   * `groups` selects what is registered: with worker processes, request metrics live in the
   * workers (aggregated by the primary) and controller metrics in the primary. Unregistered
   * metrics still accept observations; they are just not exported.
   */
  constructor(labels: ControllerLabels, registry = new client.Registry(), groups: { request: boolean; controller: boolean } = { request: true, controller: true }) {
    this.registry = registry;
    registry.setDefaultLabels({ ...labels });
    const c = groups.controller ? [registry] : [];
    this.request = groups.request ? new RequestMetrics(registry, PREFIX) : null;
    this.configHash = new client.Gauge({ name: `${PREFIX}config_hash`, help: 'Running configuration hash actually set', registers: c });
    this.reloadSuccess = new client.Gauge({ name: `${PREFIX}config_last_reload_successful`, help: 'Whether the last configuration update was successful (sluice never reloads; 1 once a table is live)', registers: c });
    this.reloadTimestamp = new client.Gauge({ name: `${PREFIX}config_last_reload_successful_timestamp_seconds`, help: 'Timestamp of the last successful route-table swap', registers: c });
    this.reloads = new client.Counter({ name: `${PREFIX}success`, help: 'Cumulative number of route-table swaps (ingress-nginx: reload operations)', registers: c });
    this.sslExpire = new client.Gauge({ name: `${PREFIX}ssl_expire_time_seconds`, help: 'Number of seconds since 1970 to the SSL Certificate expire', labelNames: ['host', 'secret_name', 'namespace'], registers: c });
    this.compileSeconds = new client.Histogram({ name: 'sluice_compile_duration_seconds', help: 'Time to compile the route table', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: c });
    this.objects = new client.Gauge({ name: 'sluice_objects', help: 'Objects in the store, by kind', labelNames: ['kind'], registers: c });
    this.ingressErrors = new client.Gauge({ name: 'sluice_ingress_errors', help: 'Errors found in each Ingress at the last compile', labelNames: ['namespace', 'ingress'], registers: c });
  }
}
