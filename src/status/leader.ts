// Leader election on a coordination.k8s.io/v1 Lease, with client-go's timing and rules, so that
// several replicas (every one of them serving traffic) agree on the one that writes Ingress
// status and Events.
//
//   - Every `retryPeriod` a replica reads the Lease. The holder renews it (renewTime = now);
//     others take it only when it has no holder or the holder has not renewed it for
//     `leaseDuration` — measured on the replica's own clock from when it last SAW the record
//     change, never by comparing clocks across machines.
//   - Every write carries the resourceVersion that was read (optimistic concurrency): of two
//     replicas racing for an expired Lease, one gets 409 Conflict.
//   - The leader steps down when it has not renewed successfully for `renewDeadline`, counted
//     from when it SENT its last successful renewal. Others can take over only `leaseDuration`
//     after they saw that renewal, which is later, and renewDeadline < leaseDuration: two
//     replicas never both believe they lead.
//   - On shutdown the leader releases the Lease (no holder), so another replica takes over within
//     one retry period instead of waiting out the lease.

import { performance } from 'node:perf_hooks';
import type { Logger } from '../log/logger.ts';
import { ApiError, describeError, type Json, type KubeApi } from '../sources/kubernetes/api-client.ts';
import { sleep } from '../sources/kubernetes/backoff.ts';
import { objectPath, collectionPath } from '../sources/kubernetes/resources.ts';
import { microTime } from './micro-time.ts';

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease extends Json {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

const LEASE_API = 'coordination.k8s.io/v1';

export class LeaderElector {
  readonly identity: string;
  readonly #api: KubeApi;
  readonly #log: Logger;
  readonly #ns: string;
  readonly #name: string;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  readonly #stop = new AbortController();
  readonly #listeners: ((leader: boolean) => void)[] = [];
  #leader = false;
  #observed: { record: string; at: number } | null = null;
  #lastLease: Lease | null = null;
  #deadline: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #holder = '';

  constructor(api: KubeApi, o: LeaderOptions, log: Logger) {
    this.#api = api;
    this.#log = log;
    this.identity = o.identity;
    this.#ns = o.namespace;
    this.#name = o.name;
    this.#leaseMs = o.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.#retryMs = o.retryPeriodMs ?? 2_000;
    if (!(this.#renewDeadlineMs < this.#leaseMs && this.#retryMs < this.#renewDeadlineMs)) throw new Error('leader election needs retryPeriod < renewDeadline < leaseDuration');
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  /** Who holds the Lease, as last read ('' when nobody). */
  get holder(): string {
    return this.#holder;
  }

  onChange(fn: (leader: boolean) => void): void {
    this.#listeners.push(fn);
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Stops campaigning; a leader releases the Lease first (bounded by `timeoutMs`). */
  async stop(timeoutMs = 2000): Promise<void> {
    this.#stop.abort();
    await this.#running;
    if (!this.#leader) return;
    this.#setLeader(false, 'shutting down');
    const lease = this.#lastLease;
    if (!lease) return;
    const now = microTime();
    const spec: LeaseSpec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
    try {
      await this.#api.request('PUT', this.#path(), { body: { ...lease, spec }, timeoutMs });
      this.#log.info({ lease: `${this.#ns}/${this.#name}` }, 'leader election: released the lease');
    } catch (err) {
      this.#log.info({ err: describeError(err) }, 'leader election: could not release the lease (it expires by itself)');
    }
  }

  #path(): string {
    return objectPath(LEASE_API, 'leases', this.#ns, this.#name);
  }

  async #loop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const sent = performance.now();
      const r = await this.#tryAcquireOrRenew();
      if (this.#stop.signal.aborted) break;
      // A success that took longer than the renew deadline is too old to lead on.
      if (r === 'ok' && performance.now() - sent < this.#renewDeadlineMs) {
        this.#armDeadline(sent);
        if (!this.#leader) this.#setLeader(true, 'acquired the lease');
      } else if (r === 'taken' && this.#leader) {
        this.#setLeader(false, `the lease is held by ${this.#holder}`);
      }
      // On 'error' a leader keeps leading until its renew deadline passes (the timer).
      const jitter = this.#leader ? 1 : 1 + Math.random() * 0.2;
      await sleep(this.#retryMs * jitter, this.#stop.signal);
    }
    if (this.#deadline) clearTimeout(this.#deadline);
  }

  #armDeadline(sent: number): void {
    if (this.#deadline) clearTimeout(this.#deadline);
    const left = sent + this.#renewDeadlineMs - performance.now();
    this.#deadline = setTimeout(() => {
      this.#deadline = null;
      if (this.#leader) this.#setLeader(false, `could not renew the lease for ${this.#renewDeadlineMs} ms`);
    }, Math.max(0, left));
    this.#deadline.unref();
  }

  #setLeader(leader: boolean, why: string): void {
    if (this.#leader === leader) return;
    this.#leader = leader;
    if (!leader && this.#deadline) {
      clearTimeout(this.#deadline);
      this.#deadline = null;
    }
    this.#log.info({ identity: this.identity, lease: `${this.#ns}/${this.#name}` }, `leader election: ${leader ? 'now the leader' : 'no longer the leader'} (${why})`);
    for (const fn of this.#listeners) {
      try {
        fn(leader);
      } catch (err) {
        this.#log.error({ err: (err as Error).stack }, 'leader election listener failed');
      }
    }
  }

  #observe(spec: LeaseSpec): void {
    const record = JSON.stringify([spec.holderIdentity ?? '', spec.renewTime ?? '', spec.acquireTime ?? '', spec.leaseDurationSeconds ?? 0, spec.leaseTransitions ?? 0]);
    if (this.#observed?.record !== record) this.#observed = { record, at: performance.now() };
    this.#holder = spec.holderIdentity ?? '';
  }

  /** 'ok': we hold the lease now; 'taken': someone else validly holds it; 'error': unknown. */
  async #tryAcquireOrRenew(): Promise<'ok' | 'taken' | 'error'> {
    const timeoutMs = this.#retryMs * 2;
    let lease: Lease;
    try {
      lease = await this.#api.request<Lease>('GET', this.#path(), { timeoutMs });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return this.#create(timeoutMs);
      this.#log.debug({ err: describeError(err) }, 'leader election: cannot read the lease');
      return 'error';
    }
    const spec = lease.spec ?? {};
    this.#observe(spec);
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? this.#leaseMs / 1000) * 1000;
    if (holder !== '' && holder !== this.identity && performance.now() < this.#observed!.at + durationMs) return 'taken';
    const now = microTime();
    const mine = holder === this.identity;
    const next: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.round(this.#leaseMs / 1000),
      acquireTime: mine && spec.acquireTime ? spec.acquireTime : now,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
    try {
      // The body carries the resourceVersion just read: a concurrent writer makes this a 409.
      const written = await this.#api.request<Lease>('PUT', this.#path(), { body: { ...lease, spec: next }, timeoutMs });
      this.#lastLease = written;
      this.#observe(written.spec ?? next);
      if (!mine) this.#log.info({ previous: holder || null }, 'leader election: took the lease');
      return 'ok';
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) return 'taken';
      this.#log.debug({ err: describeError(err) }, 'leader election: cannot write the lease');
      return 'error';
    }
  }

  async #create(timeoutMs: number): Promise<'ok' | 'taken' | 'error'> {
    const now = microTime();
    const spec: LeaseSpec = { holderIdentity: this.identity, leaseDurationSeconds: Math.round(this.#leaseMs / 1000), acquireTime: now, renewTime: now, leaseTransitions: 0 };
    try {
      const written = await this.#api.request<Lease>('POST', collectionPath(LEASE_API, 'leases', this.#ns), {
        body: { apiVersion: LEASE_API, kind: 'Lease', metadata: { name: this.#name, namespace: this.#ns }, spec },
        timeoutMs,
      });
      this.#lastLease = written;
      this.#observe(written.spec ?? spec);
      return 'ok';
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) return 'taken';
      this.#log.debug({ err: describeError(err) }, 'leader election: cannot create the lease');
      return 'error';
    }
  }
}
