// Several watches may deliver the same object (a Secret referenced by an annotation is watched by
// name and may also be a TLS Secret; a Service named by a flag outside --watch-namespace), so
// the store keeps an object while at least one watch holds it: each watch's objects are tracked
// by key, and a delete (or a re-list without the object) removes it from the store only when no
// other watch still has it.

import { objectKey, keyOf, type Kind, type KubeObject } from '../../model/k8s.ts';
import type { Store } from '../../store/store.ts';
import type { ReflectorSink } from './reflector.ts';

/** Where upserts of one kind go before the store (the Ingress endpoint gate). */
export interface UpsertFilter {
  upsert(obj: KubeObject): void;
  /** The object is gone: drop anything held for it. */
  forget(kind: Kind, key: string): void;
}

export class StoreWriter {
  readonly #store: Store;
  /** storeKey (`Kind\0key`) → ids of the watches that currently have it. */
  readonly #holders = new Map<string, Set<string> | string>();
  /** Watch id → its keys. */
  readonly #held = new Map<string, Set<string>>();
  readonly #filters = new Map<Kind, UpsertFilter>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Routes upserts of `kind` through `f` (which calls `publish` when it lets one through). */
  filter(kind: Kind, f: UpsertFilter): void {
    this.#filters.set(kind, f);
  }

  /** Stores an object directly (what a filter calls when it lets one through). */
  publish(obj: KubeObject): void {
    this.#store.upsert(obj);
  }

  sinkFor(id: string, kind: Kind): ReflectorSink {
    return {
      replace: (objs) => this.#replace(id, kind, objs),
      upsert: (obj) => this.#upsert(id, obj),
      remove: (ns, name) => this.#remove(id, kind, objectKey(kind, ns, name)),
    };
  }

  /** A watch stopped for good: everything only it had goes. */
  release(id: string): void {
    const keys = this.#held.get(id);
    if (!keys) return;
    for (const sk of [...keys]) {
      const kind = sk.slice(0, sk.indexOf('\0')) as Kind;
      this.#remove(id, kind, sk.slice(kind.length + 1));
    }
    this.#held.delete(id);
  }

  #hold(id: string, sk: string): void {
    let keys = this.#held.get(id);
    if (!keys) this.#held.set(id, (keys = new Set()));
    keys.add(sk);
    const h = this.#holders.get(sk);
    if (h === undefined) this.#holders.set(sk, id);
    else if (typeof h === 'string') {
      if (h !== id) this.#holders.set(sk, new Set([h, id]));
    } else h.add(id);
  }

  /** Drops `id`'s hold; true when nobody holds the key any more. */
  #unhold(id: string, sk: string): boolean {
    this.#held.get(id)?.delete(sk);
    const h = this.#holders.get(sk);
    if (h === undefined) return true;
    if (typeof h === 'string') {
      if (h !== id) return false;
      this.#holders.delete(sk);
      return true;
    }
    h.delete(id);
    if (h.size === 1) this.#holders.set(sk, [...h][0]!);
    return h.size === 0;
  }

  #upsert(id: string, obj: KubeObject): void {
    const key = keyOf(obj);
    this.#hold(id, `${obj.kind}\0${key}`);
    const f = this.#filters.get(obj.kind);
    if (f) f.upsert(obj);
    else this.#store.upsert(obj);
  }

  #remove(id: string, kind: Kind, key: string): void {
    if (!this.#unhold(id, `${kind}\0${key}`)) return;
    this.#filters.get(kind)?.forget(kind, key);
    const slash = key.indexOf('/');
    if (slash < 0) this.#store.delete(kind, undefined, key);
    else this.#store.delete(kind, key.slice(0, slash), key.slice(slash + 1));
  }

  #replace(id: string, kind: Kind, objs: readonly KubeObject[]): void {
    const seen = new Set<string>();
    for (const o of objs) {
      seen.add(`${kind}\0${keyOf(o)}`);
      this.#upsert(id, o);
    }
    const had = this.#held.get(id);
    if (!had) return;
    for (const sk of [...had]) {
      if (!sk.startsWith(`${kind}\0`) || seen.has(sk)) continue;
      this.#remove(id, kind, sk.slice(kind.length + 1));
    }
  }
}
