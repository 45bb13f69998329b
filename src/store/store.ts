// The typed object store both sources write into. It answers one question for the controller
// ("did anything that matters change?") and hands compile an immutable snapshot.

import {
  KINDS,
  keyOf,
  objectKey,
  type ConfigMap,
  type EndpointSlice,
  type Ingress,
  type IngressClass,
  type Kind,
  type KubeObject,
  type Secret,
  type Service,
} from '../model/k8s.ts';

/** An immutable view of every object at one moment. Compile reads only this. */
export interface Snapshot {
  readonly ingresses: ReadonlyMap<string, Ingress>;
  readonly ingressClasses: ReadonlyMap<string, IngressClass>;
  readonly services: ReadonlyMap<string, Service>;
  readonly endpointSlices: ReadonlyMap<string, EndpointSlice>;
  /** EndpointSlices grouped by `namespace/<kubernetes.io/service-name label>`. */
  readonly slicesByService: ReadonlyMap<string, readonly EndpointSlice[]>;
  readonly secrets: ReadonlyMap<string, Secret>;
  readonly configMaps: ReadonlyMap<string, ConfigMap>;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type ChangeKind = 'config' | 'endpoints';

export interface StoreChange {
  kind: Kind;
  key: string;
  type: 'upsert' | 'delete';
}

type Listener = (change: StoreChange) => void;

// Fields whose change alters routing. Status, managedFields and resourceVersion do not.
function fingerprint(obj: KubeObject): string {
  const m = obj.metadata;
  const base = [m.uid ?? '', m.creationTimestamp ?? '', m.deletionTimestamp ?? '', m.labels ?? null, m.annotations ?? null];
  switch (obj.kind) {
    case 'Ingress':
    case 'IngressClass':
      return JSON.stringify([base, obj.spec]);
    case 'Service':
      // Load-balancer status matters for --publish-service.
      return JSON.stringify([base, obj.spec, obj.status ?? null]);
    case 'EndpointSlice':
      return JSON.stringify([base, obj.addressType, obj.endpoints, obj.ports ?? null]);
    case 'Secret':
      return JSON.stringify([base, obj.type ?? '', obj.data ?? null]);
    case 'ConfigMap':
      return JSON.stringify([base, obj.data ?? null]);
  }
}

export function serviceKeyOfSlice(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return svc === undefined ? undefined : `${slice.metadata.namespace}/${svc}`;
}

export class Store {
  #objects = new Map<Kind, Map<string, KubeObject>>();
  #prints = new Map<Kind, Map<string, string>>();
  #dirty = new Set<Kind>(KINDS);
  #last: Snapshot | null = null;
  #listeners: Listener[] = [];
  #version = 0;
  /** EndpointSlice keys per Service (`namespace/service`), kept incrementally. */
  #slicesBySvc = new Map<string, Set<string>>();
  #sliceSvc = new Map<string, string>();

  constructor() {
    for (const k of KINDS) {
      this.#objects.set(k, new Map());
      this.#prints.set(k, new Map());
    }
  }

  /** Monotonic counter bumped by every effective change. */
  get version(): number {
    return this.#version;
  }

  onChange(fn: Listener): void {
    this.#listeners.push(fn);
  }

  /** Inserts or replaces an object. Returns false when nothing relevant changed. */
  upsert(obj: KubeObject): boolean {
    const key = keyOf(obj);
    const print = fingerprint(obj);
    const prints = this.#prints.get(obj.kind)!;
    if (prints.get(key) === print) {
      // Keep the newest copy (resourceVersion) without signalling a change.
      this.#objects.get(obj.kind)!.set(key, obj);
      return false;
    }
    prints.set(key, print);
    this.#objects.get(obj.kind)!.set(key, obj);
    if (obj.kind === 'EndpointSlice') this.#indexSlice(key, serviceKeyOfSlice(obj));
    this.#changed({ kind: obj.kind, key, type: 'upsert' });
    return true;
  }

  #indexSlice(key: string, svc: string | undefined): void {
    const old = this.#sliceSvc.get(key);
    if (old === svc) return;
    if (old !== undefined) {
      const set = this.#slicesBySvc.get(old)!;
      set.delete(key);
      if (set.size === 0) this.#slicesBySvc.delete(old);
      this.#sliceSvc.delete(key);
    }
    if (svc !== undefined) {
      let set = this.#slicesBySvc.get(svc);
      if (!set) this.#slicesBySvc.set(svc, (set = new Set()));
      set.add(key);
      this.#sliceSvc.set(key, svc);
    }
  }

  /** The Service an EndpointSlice belongs to (also for slices just deleted, until the next change). */
  serviceOfSlice(key: string): string | undefined {
    return this.#sliceSvc.get(key) ?? this.#deletedSliceSvc.get(key);
  }

  #deletedSliceSvc = new Map<string, string>();

  /** Current EndpointSlices of a Service, without taking a snapshot. */
  slicesOf(serviceKey: string): EndpointSlice[] {
    const keys = this.#slicesBySvc.get(serviceKey);
    if (!keys) return [];
    const m = this.#objects.get('EndpointSlice')!;
    const out: EndpointSlice[] = [];
    for (const k of keys) out.push(m.get(k) as EndpointSlice);
    return out;
  }

  delete(kind: Kind, namespace: string | undefined, name: string): boolean {
    const key = objectKey(kind, namespace, name);
    if (!this.#objects.get(kind)!.delete(key)) return false;
    this.#prints.get(kind)!.delete(key);
    if (kind === 'EndpointSlice') {
      this.#deletedSliceSvc.clear();
      const svc = this.#sliceSvc.get(key);
      if (svc !== undefined) this.#deletedSliceSvc.set(key, svc);
      this.#indexSlice(key, undefined);
    }
    this.#changed({ kind, key, type: 'delete' });
    return true;
  }

  get(kind: Kind, key: string): KubeObject | undefined {
    return this.#objects.get(kind)!.get(key);
  }

  keys(kind: Kind): IterableIterator<string> {
    return this.#objects.get(kind)!.keys();
  }

  count(kind: Kind): number {
    return this.#objects.get(kind)!.size;
  }

  /**
   * Replaces every object of `kind` with `objs`, signalling only real differences. A re-list
   * after a lost watch uses this so that objects deleted meanwhile disappear.
   */
  replaceKind(kind: Kind, objs: readonly KubeObject[]): void {
    const seen = new Set<string>();
    for (const o of objs) {
      seen.add(keyOf(o));
      this.upsert(o);
    }
    for (const key of [...this.#objects.get(kind)!.keys()]) {
      if (!seen.has(key)) {
        const o = this.#objects.get(kind)!.get(key)!;
        this.delete(kind, o.metadata.namespace, o.metadata.name);
      }
    }
  }

  snapshot(): Snapshot {
    const prev = this.#last;
    if (prev && this.#dirty.size === 0) return prev;
    const copy = <T extends KubeObject>(kind: Kind, old: ReadonlyMap<string, T> | undefined): ReadonlyMap<string, T> =>
      !old || this.#dirty.has(kind) ? (new Map(this.#objects.get(kind)!) as Map<string, T>) : old;
    const endpointSlices = copy<EndpointSlice>('EndpointSlice', prev?.endpointSlices);
    let slicesByService = prev?.slicesByService;
    if (!slicesByService || endpointSlices !== prev?.endpointSlices) {
      const idx = new Map<string, EndpointSlice[]>();
      for (const s of endpointSlices.values()) {
        const k = serviceKeyOfSlice(s);
        if (k === undefined) continue;
        let list = idx.get(k);
        if (!list) idx.set(k, (list = []));
        list.push(s);
      }
      slicesByService = idx;
    }
    const snap: Snapshot = Object.freeze({
      ingresses: copy<Ingress>('Ingress', prev?.ingresses),
      ingressClasses: copy<IngressClass>('IngressClass', prev?.ingressClasses),
      services: copy<Service>('Service', prev?.services),
      endpointSlices,
      slicesByService,
      secrets: copy<Secret>('Secret', prev?.secrets),
      configMaps: copy<ConfigMap>('ConfigMap', prev?.configMaps),
    });
    this.#dirty.clear();
    this.#last = snap;
    return snap;
  }

  #changed(change: StoreChange): void {
    this.#dirty.add(change.kind);
    this.#version++;
    for (const fn of this.#listeners) fn(change);
  }
}

/** Builds a snapshot straight from a list of objects (tests, golden files, benchmarks). */
export function snapshotOf(objs: readonly KubeObject[]): Snapshot {
  const s = new Store();
  for (const o of objs) s.upsert(o);
  return s.snapshot();
}
