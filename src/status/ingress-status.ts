// Writes status.loadBalancer.ingress of the Ingresses sluice serves (the address `kubectl get
// ingress` shows, and external-dns follows), and clears it on Ingresses that stop being ours.
//
//   - Only the leader writes (setLeader); every replica keeps track, so a new leader starts from
//     the current state.
//   - Only when the value differs from what the Ingress already has (compared in a canonical
//     form), so a steady state costs no API calls, and each write is a merge patch of the status
//     subresource carrying the resourceVersion it was computed from: a concurrent change makes it
//     a 409, after which the Ingress is read again and the comparison redone.
//   - Rate-limited (token bucket) with a few writes in flight; failures are retried later.
//   - Cleared only on Ingresses this process has seen served and whose status still holds exactly
//     our address, so another controller's address is never removed.

import type { CompileResult } from '../compile/compile.ts';
import type { Ingress } from '../model/k8s.ts';
import type { Logger } from '../log/logger.ts';
import type { Store, StoreChange } from '../store/store.ts';
import { ApiError, describeError, MERGE_PATCH, type Json, type KubeApi } from '../sources/kubernetes/api-client.ts';
import { objectPath, RESOURCES, transform } from '../sources/kubernetes/resources.ts';
import { NodeAddresses, normalizeAddresses, serviceAddresses, statusAddresses, type LbIngress } from './addresses.ts';
import { TokenBucket } from './token-bucket.ts';

export interface StatusWriterOptions {
  publishService: string | null;
  publishStatusAddress: readonly string[];
  /** Writes per second and burst (defaults 50 and 100). */
  rate?: number;
  burst?: number;
}

export interface StatusWriterObserver {
  write?(result: 'ok' | 'conflict' | 'error'): void;
}

const CONCURRENCY = 4;
const MAX_CONFLICT_RETRIES = 3;
const RESYNC_MS = 60_000;
const RETRY_MS = 5_000;

function currentOf(ing: Ingress): LbIngress[] {
  return normalizeAddresses(ing.status?.loadBalancer?.ingress ?? []);
}

export class IngressStatusWriter {
  readonly #api: KubeApi;
  readonly #store: Store;
  readonly #opts: StatusWriterOptions;
  readonly #log: Logger;
  readonly #obs: StatusWriterObserver;
  readonly #bucket: TokenBucket;
  readonly #nodes: NodeAddresses;
  #leader = false;
  #ours = new Set<string>();
  readonly #everServed = new Set<string>();
  #addresses: LbIngress[] | null = null;
  #addressesJson = '';
  readonly #queue = new Set<string>();
  readonly #busy = new Set<string>();
  #inflight = 0;
  /** key → the resourceVersion a successful write was based on, and what it wrote. */
  readonly #written = new Map<string, { baseRv: string; value: string }>();
  #resync: NodeJS.Timeout;
  #stopped = false;
  #warnedNoService = false;

  constructor(api: KubeApi, store: Store, opts: StatusWriterOptions, log: Logger, obs: StatusWriterObserver = {}) {
    this.#api = api;
    this.#store = store;
    this.#opts = opts;
    this.#log = log;
    this.#obs = obs;
    this.#bucket = new TokenBucket(opts.rate ?? 50, opts.burst ?? 100);
    this.#nodes = new NodeAddresses(api, log, () => this.#refreshAddresses());
    store.onChange((c) => this.#onStoreChange(c));
    this.#resync = setInterval(() => this.#evaluateAll(), RESYNC_MS);
    this.#resync.unref();
    this.#refreshAddresses();
  }

  /** The addresses being published (null: not known yet). */
  get addresses(): LbIngress[] | null {
    return this.#addresses;
  }

  setLeader(leader: boolean): void {
    this.#leader = leader;
    if (leader) this.#evaluateAll();
    else this.#queue.clear();
  }

  onCompiled(result: CompileResult): void {
    const ours = new Set<string>();
    for (const r of result.ingresses) if (r.ours) ours.add(r.key);
    for (const k of ours) this.#everServed.add(k);
    for (const k of this.#everServed) if (!ours.has(k) && !this.#store.get('Ingress', k)) this.#everServed.delete(k);
    this.#ours = ours;
    this.#evaluateAll();
  }

  /** An Ingress event from the API (also status-only ones): is our address still there? */
  onIngressEvent(key: string): void {
    if (this.#leader) this.#evaluate(key);
  }

  stop(): void {
    this.#stopped = true;
    this.#leader = false;
    clearInterval(this.#resync);
    this.#bucket.stop();
    this.#queue.clear();
  }

  #onStoreChange(c: StoreChange): void {
    const ref = this.#opts.publishService;
    if (!ref || this.#opts.publishStatusAddress.length > 0) return;
    if ((c.kind === 'Service' && c.key === ref) || (c.kind === 'EndpointSlice' && this.#store.serviceOfSlice(c.key) === ref)) this.#refreshAddresses();
  }

  #refreshAddresses(): void {
    let next: LbIngress[] | null = null;
    if (this.#opts.publishStatusAddress.length > 0) next = statusAddresses(this.#opts.publishStatusAddress);
    else if (this.#opts.publishService) {
      const ref = this.#opts.publishService;
      const svc = this.#store.get('Service', ref);
      if (svc?.kind === 'Service') {
        this.#warnedNoService = false;
        next = serviceAddresses(svc, this.#store.slicesOf(ref), (n) => this.#nodes.get(n));
      } else if (!this.#warnedNoService && this.#store.count('Service') > 0) {
        this.#warnedNoService = true;
        this.#log.warn({ service: ref }, '--publish-service not found; Ingress status is left as it is');
      }
    }
    const json = next === null ? '' : JSON.stringify(next);
    if (json === this.#addressesJson) return;
    this.#addresses = next;
    this.#addressesJson = json;
    if (next !== null) this.#log.info({ addresses: next }, 'Ingress status address');
    this.#evaluateAll();
  }

  /** What the Ingress's status should be; undefined: leave it alone. */
  #desired(key: string, ing: Ingress): LbIngress[] | undefined {
    if (this.#addresses === null || ing.metadata.deletionTimestamp) return undefined;
    if (this.#ours.has(key)) return this.#addresses;
    if (this.#everServed.has(key)) {
      const cur = currentOf(ing);
      if (cur.length > 0 && JSON.stringify(cur) === this.#addressesJson) return [];
    }
    return undefined;
  }

  #evaluateAll(): void {
    if (!this.#leader || this.#addresses === null) return;
    for (const k of this.#ours) this.#evaluate(k);
    for (const k of this.#everServed) if (!this.#ours.has(k)) this.#evaluate(k);
  }

  #evaluate(key: string): void {
    const ing = this.#store.get('Ingress', key) as Ingress | undefined;
    if (!ing) return;
    const want = this.#desired(key, ing);
    if (want === undefined) return;
    let cur = JSON.stringify(currentOf(ing));
    const w = this.#written.get(key);
    if (w) {
      // Our write is done but its watch event is not in yet: the store still has the old object.
      if (w.baseRv === ing.metadata.resourceVersion) cur = w.value;
      else this.#written.delete(key);
    }
    if (cur === JSON.stringify(want)) return;
    this.#queue.add(key);
    this.#pump();
  }

  #pump(): void {
    while (this.#leader && this.#inflight < CONCURRENCY && this.#queue.size > 0) {
      let key: string | undefined;
      for (const k of this.#queue) {
        if (!this.#busy.has(k)) {
          key = k;
          break;
        }
      }
      if (key === undefined) return;
      this.#queue.delete(key);
      this.#busy.add(key);
      this.#inflight++;
      void this.#write(key).finally(() => {
        this.#busy.delete(key);
        this.#inflight--;
        this.#pump();
      });
    }
  }

  async #write(key: string): Promise<void> {
    await this.#bucket.take();
    const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const path = objectPath(RESOURCES.Ingress.apiVersion, RESOURCES.Ingress.plural, ns, name);
    let ing = this.#store.get('Ingress', key) as Ingress | undefined;
    for (let attempt = 0; ing && attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      if (!this.#leader || this.#stopped) return;
      const want = this.#desired(key, ing);
      if (want === undefined || JSON.stringify(currentOf(ing)) === JSON.stringify(want)) return;
      const rv = ing.metadata.resourceVersion;
      try {
        await this.#api.request('PATCH', `${path}/status`, {
          contentType: MERGE_PATCH,
          // resourceVersion in a patch is a precondition: 409 if the Ingress changed meanwhile.
          body: { metadata: { resourceVersion: rv }, status: { loadBalancer: { ingress: want.length > 0 ? want : null } } },
        });
        this.#obs.write?.('ok');
        this.#written.set(key, { baseRv: rv ?? '', value: JSON.stringify(want) });
        this.#log.debug({ ingress: key, addresses: want }, want.length > 0 ? 'Ingress status written' : 'Ingress status cleared');
        return;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return;
        if (err instanceof ApiError && err.code === 409) {
          this.#obs.write?.('conflict');
          ing = await this.#read(path);
          if (!ing) return this.#retryLater(key);
          continue;
        }
        this.#obs.write?.('error');
        this.#log.warn({ ingress: key, err: describeError(err), retryInMs: RETRY_MS }, 'cannot write Ingress status');
        this.#retryLater(key);
        return;
      }
    }
    if (ing) this.#retryLater(key);
  }

  async #read(path: string): Promise<Ingress | undefined> {
    try {
      const raw = await this.#api.request<Json>('GET', path);
      const t = transform(RESOURCES.Ingress, raw);
      return t.ok ? (t.object as Ingress) : undefined;
    } catch {
      return undefined;
    }
  }

  #retryLater(key: string): void {
    setTimeout(() => this.#evaluate(key), RETRY_MS).unref();
  }
}
