// The versioned object store: what etcd plus the watch cache are to a real API server.
// One global resourceVersion counter, a bounded history of changes (the compaction window),
// snapshots at past versions for consistent paginated lists, and change subscribers.

import type { KubeObj } from './selectors.ts';

export type Obj = KubeObj & { metadata: NonNullable<KubeObj['metadata']> & Record<string, unknown> };
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed write. Objects in events are frozen: never mutate them. */
export interface Change {
  type: ChangeType;
  rv: number;
  /** Storage bucket, e.g. 'services' or 'events' (shared by both Event APIs). */
  bucket: string;
  key: string;
  /** State after the write; for DELETED, the last state stamped with the deletion's RV. */
  object: Obj;
  /** State before the write (absent for ADDED). */
  prev?: Obj;
}

export type ChangeListener = (change: Change) => void;

export class ExpiredError extends Error {
  readonly requested: number;
  readonly oldest: number;
  constructor(requested: number, oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
    this.requested = requested;
    this.oldest = oldest;
  }
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

function byKey(a: [string, Obj], b: [string, Obj]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

export class VersionedStore {
  /** Newest committed resourceVersion. */
  rv: number;
  /** History holds every change with rv > compactedRv. */
  compactedRv: number;
  readonly window: number;
  private readonly buckets = new Map<string, Map<string, Obj>>();
  private history: Change[] = [];
  private readonly listeners = new Set<ChangeListener>();

  constructor(window: number, startRv = 1000) {
    if (!Number.isInteger(window) || window < 1) throw new Error('compactionWindow must be a positive integer');
    this.window = window;
    this.rv = startRv;
    this.compactedRv = startRv;
  }

  private bucket(name: string): Map<string, Obj> {
    let b = this.buckets.get(name);
    if (!b) {
      b = new Map();
      this.buckets.set(name, b);
    }
    return b;
  }

  get(bucket: string, key: string): Obj | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** Current objects of a bucket in key order (namespace/name), as etcd ranges return them. */
  list(bucket: string): [string, Obj][] {
    return [...(this.buckets.get(bucket) ?? new Map<string, Obj>())].sort(byKey);
  }

  /** Objects of a bucket as they were at `rv`, rebuilt by undoing newer history. */
  listAt(bucket: string, rv: number): [string, Obj][] {
    if (rv < this.compactedRv) throw new ExpiredError(rv, this.compactedRv);
    if (rv >= this.rv) return this.list(bucket);
    const state = new Map(this.buckets.get(bucket) ?? []);
    for (let i = this.history.length - 1; i >= 0 && this.history[i].rv > rv; i--) {
      const c = this.history[i];
      if (c.bucket !== bucket) continue;
      if (c.prev) state.set(c.key, c.prev);
      else state.delete(c.key);
    }
    return [...state].sort(byKey);
  }

  /** Changes after `rv`, oldest first; throws ExpiredError if some were compacted away. */
  changesSince(rv: number): Change[] {
    if (rv < this.compactedRv) throw new ExpiredError(rv, this.compactedRv);
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Commits a create or update; returns the stored (frozen) object with its new RV. */
  put(bucket: string, key: string, next: Obj): Obj {
    const prev = this.get(bucket, key);
    const rv = ++this.rv;
    const stored = deepFreeze({ ...next, metadata: { ...next.metadata, resourceVersion: String(rv) } }) as Obj;
    this.bucket(bucket).set(key, stored);
    this.record({ type: prev ? 'MODIFIED' : 'ADDED', rv, bucket, key, object: stored, prev });
    return stored;
  }

  /** Removes an object; returns its last state stamped with the deletion's RV. */
  remove(bucket: string, key: string): Obj | undefined {
    const prev = this.get(bucket, key);
    if (!prev) return undefined;
    const rv = ++this.rv;
    this.buckets.get(bucket)!.delete(key);
    const object = deepFreeze({ ...prev, metadata: { ...prev.metadata, resourceVersion: String(rv) } }) as Obj;
    this.record({ type: 'DELETED', rv, bucket, key, object, prev });
    return object;
  }

  /** Forgets all history, as an etcd compaction at the current revision does. */
  compact(): number {
    this.history = [];
    this.compactedRv = this.rv;
    return this.compactedRv;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(change: Change): void {
    this.history.push(change);
    // Exactly `window` changes are kept, so tests can aim at the boundary.
    while (this.history.length > this.window) this.compactedRv = this.history.shift()!.rv;
    for (const l of [...this.listeners]) l(change);
  }
}
