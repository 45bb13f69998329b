// "A route is never published before its Service's endpoints are known."
//
// After the initial sync every Service already has its EndpointSlices in the store, so this only
// concerns objects created later: typically `kubectl apply` of an Ingress together with a new
// Service, or an Ingress edited to point at a Service that was just created. The Ingress usually
// arrives first, and the EndpointSlice controller creates the Service's slices a moment after the
// Service. Publishing the Ingress at once would answer 503 (no endpoints) for that moment — and
// for an existing path switched to the new Service, turn a working path into errors.
//
// So an Ingress upsert that newly references a Service whose endpoints are not known yet (no
// EndpointSlice in the store; ExternalName Services need none) is held back — the previous
// version of the Ingress, if any, keeps serving — until the slices arrive, for at most
// `maxHoldMs`. After that it is published anyway (the Service may be missing for good, or have
// no selector and no slices); endpoints that come later reach the data plane through the
// controller's endpoint fast path. References the stored version already had are never waited
// for, so editing an Ingress whose Service is missing is not delayed.

import { keyOf, type Ingress, type Kind, type KubeObject, type Service } from '../../model/k8s.ts';
import type { Store, StoreChange } from '../../store/store.ts';
import type { Logger } from '../../log/logger.ts';
import type { UpsertFilter } from './store-writer.ts';

interface Held {
  ing: Ingress;
  since: number;
  timer: NodeJS.Timeout;
}

/** Services (namespace/name) the Ingress's backends name. Annotation-named Services are not included. */
export function backendServices(ing: Ingress): Set<string> {
  const ns = ing.metadata.namespace!;
  const out = new Set<string>();
  const db = ing.spec.defaultBackend?.service?.name;
  if (db) out.add(`${ns}/${db}`);
  for (const r of ing.spec.rules ?? []) for (const p of r.http?.paths ?? []) if (p.backend.service?.name) out.add(`${ns}/${p.backend.service.name}`);
  return out;
}

export class EndpointGate implements UpsertFilter {
  readonly #store: Store;
  readonly #publish: (obj: KubeObject) => void;
  readonly #log: Logger;
  readonly #maxHoldMs: number;
  readonly #held = new Map<string, Held>();
  #active = false;

  constructor(store: Store, publish: (obj: KubeObject) => void, log: Logger, maxHoldMs = 3000) {
    this.#store = store;
    this.#publish = publish;
    this.#log = log;
    this.#maxHoldMs = maxHoldMs;
    store.onChange((c) => this.#onStoreChange(c));
  }

  /** Starts gating (after the initial sync: before it, everything is published as listed). */
  activate(): void {
    this.#active = true;
  }

  get heldCount(): number {
    return this.#held.size;
  }

  upsert(obj: KubeObject): void {
    if (!this.#active || obj.kind !== 'Ingress') return this.#publish(obj);
    const key = keyOf(obj);
    const waiting = this.#waitingFor(obj);
    const held = this.#held.get(key);
    if (waiting.length === 0) {
      if (held) this.#release(key, held, 'endpoints known');
      else this.#publish(obj);
      return;
    }
    if (held) {
      held.ing = obj; // the newest version is what gets published; the deadline stays
      return;
    }
    const h: Held = { ing: obj, since: Date.now(), timer: setTimeout(() => this.#expire(key), this.#maxHoldMs) };
    h.timer.unref();
    this.#held.set(key, h);
    this.#log.debug({ ingress: key, services: waiting }, 'Ingress held until its new Services have endpoints');
  }

  forget(kind: Kind, key: string): void {
    if (kind !== 'Ingress') return;
    const h = this.#held.get(key);
    if (!h) return;
    clearTimeout(h.timer);
    this.#held.delete(key);
  }

  stop(): void {
    for (const h of this.#held.values()) clearTimeout(h.timer);
    this.#held.clear();
  }

  /** Newly referenced Services whose endpoints are unknown. */
  #waitingFor(ing: Ingress): string[] {
    const prev = this.#store.get('Ingress', keyOf(ing)) as Ingress | undefined;
    const before = prev ? backendServices(prev) : new Set<string>();
    const out: string[] = [];
    for (const svc of backendServices(ing)) {
      if (before.has(svc) || this.#known(svc)) continue;
      out.push(svc);
    }
    return out;
  }

  #known(svcKey: string): boolean {
    const svc = this.#store.get('Service', svcKey) as Service | undefined;
    if (svc?.spec.type === 'ExternalName') return true;
    return this.#store.slicesOf(svcKey).length > 0;
  }

  #onStoreChange(c: StoreChange): void {
    if (this.#held.size === 0 || (c.kind !== 'EndpointSlice' && c.kind !== 'Service')) return;
    const ns = c.key.slice(0, c.key.indexOf('/'));
    for (const [key, h] of [...this.#held]) {
      if (h.ing.metadata.namespace !== ns) continue;
      if (this.#waitingFor(h.ing).length === 0) this.#release(key, h, 'endpoints known');
    }
  }

  #expire(key: string): void {
    const h = this.#held.get(key);
    if (!h) return;
    const waiting = this.#waitingFor(h.ing);
    this.#release(key, h, waiting.length > 0 ? `waited ${this.#maxHoldMs} ms; still no endpoints for ${waiting.join(', ')}` : 'endpoints known');
  }

  #release(key: string, h: Held, why: string): void {
    clearTimeout(h.timer);
    this.#held.delete(key);
    this.#log.debug({ ingress: key, heldMs: Date.now() - h.since }, `Ingress published: ${why}`);
    this.#publish(h.ing);
  }
}
