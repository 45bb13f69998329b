// Metrics of cluster mode: the API watches, status writes, Events and leader election.
// Registered on the controller's registry (the primary's with --workers N).

import client from 'prom-client';
import type { ReflectorObserver } from './reflector.ts';
import type { StatusWriterObserver } from '../../status/ingress-status.ts';
import type { EventObserver } from '../../status/events.ts';

export class ClusterMetrics {
  readonly watchEvents: client.Counter<'resource' | 'type'>;
  readonly lists: client.Counter<'resource'>;
  readonly listObjects: client.Gauge<'resource'>;
  readonly failures: client.Counter<'resource' | 'reason'>;
  readonly statusWrites: client.Counter<'result'>;
  readonly events: client.Counter<'type' | 'reason' | 'result'>;
  readonly leader: client.Gauge<'name'>;

  constructor(registry: client.Registry) {
    const registers = [registry];
    this.watchEvents = new client.Counter({ name: 'sluice_kubernetes_watch_events_total', help: 'Watch events received from the API server, by resource and type (BOOKMARK included)', labelNames: ['resource', 'type'], registers });
    this.lists = new client.Counter({ name: 'sluice_kubernetes_lists_total', help: 'Complete lists (initial and after 410 Gone), by resource', labelNames: ['resource'], registers });
    this.listObjects = new client.Gauge({ name: 'sluice_kubernetes_list_objects', help: 'Objects in the last list, by resource', labelNames: ['resource'], registers });
    this.failures = new client.Counter({ name: 'sluice_kubernetes_watch_failures_total', help: 'List/watch failures (connection, http, gone = 410 re-list), by resource', labelNames: ['resource', 'reason'], registers });
    this.statusWrites = new client.Counter({ name: 'sluice_ingress_status_updates_total', help: 'Ingress status writes, by result (ok, conflict, error)', labelNames: ['result'], registers });
    this.events = new client.Counter({ name: 'sluice_kubernetes_events_total', help: 'Kubernetes Event writes, by type, reason and result (created, series, error, dropped)', labelNames: ['type', 'reason', 'result'], registers });
    this.leader = new client.Gauge({ name: 'nginx_ingress_controller_leader_election_status', help: 'Gauge reporting status of the leader election, 0 indicates follower, 1 indicates leader', labelNames: ['name'], registers });
  }

  reflector(): ReflectorObserver {
    return {
      listed: (resource, count) => {
        this.lists.inc({ resource });
        this.listObjects.set({ resource }, count);
      },
      event: (resource, type) => this.watchEvents.inc({ resource, type }),
      failed: (resource, reason) => this.failures.inc({ resource, reason }),
    };
  }

  status(): StatusWriterObserver {
    return { write: (result) => this.statusWrites.inc({ result }) };
  }

  eventObserver(): EventObserver {
    return { emitted: (type, reason, result) => this.events.inc({ type, reason, result }) };
  }
}
