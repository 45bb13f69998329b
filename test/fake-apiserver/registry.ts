// The REST semantics of every write and read, shared by the HTTP handlers and the direct
// test API: metadata ownership (uid, resourceVersion, generation, managedFields), status
// subresource rules, optimistic concurrency, no-op writes, defaulting and consistent lists.

import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { Allocators, applyDefaults } from './defaults.ts';
import { nowRfc3339, recordManager } from './managed-fields.ts';
import { applyPatch, type Json } from './patch.ts';
import { apiVersionOf, bucketOf, findByKind, RESOURCES, type ResourceType } from './resources.ts';
import type { Matcher } from './selectors.ts';
import { ApiError, errors } from './status.ts';
import { ExpiredError, objectKey, VersionedStore, type Obj } from './store.ts';
import { checkMicroTimes, checkTypeMeta, validateMeta } from './validation.ts';
import { toStorage, toView } from './views.ts';

export interface WriteOptions {
  /** Field manager recorded in managedFields. */
  manager: string;
  /** `dryRun=All`: run every check, persist nothing. */
  dryRun?: boolean;
  /** Write through the /status subresource. */
  subresource?: 'status';
}

export interface CreateOptions extends WriteOptions {
  /** Direct test access: create a missing namespace instead of failing with 404. */
  autoNamespace?: boolean;
  /** Direct test access: keep a given status (the HTTP API resets it on create, as the real one does). */
  keepStatus?: boolean;
}

export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: Matcher;
  fieldSelector?: Matcher;
  /** True when any selector was given (the API then omits remainingItemCount). */
  selective?: boolean;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: Obj[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

type Rec = Record<string, unknown>;

const NAMESPACES = findByKind('v1', 'Namespace');

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** An object minus what changes on every write, for no-op detection. */
function comparable(obj: Obj): Obj {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}

export class Registry {
  readonly store: VersionedStore;
  private readonly alloc = new Allocators();

  constructor(store: VersionedStore) {
    this.store = store;
  }

  private keyOf(rt: ResourceType, namespace: string | undefined, name: string): string {
    return objectKey(rt.namespaced ? namespace : undefined, name);
  }

  private existing(rt: ResourceType, namespace: string | undefined, name: string): Obj {
    const found = this.store.get(bucketOf(rt), this.keyOf(rt, namespace, name));
    if (!found) throw errors.notFound(rt, name);
    return found;
  }

  namespaceExists(name: string): boolean {
    return this.store.get(bucketOf(NAMESPACES), name) !== undefined;
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): Obj {
    return toView(rt, this.existing(rt, namespace, name));
  }

  list(rt: ResourceType, opts: ListOptions = {}): ListResult {
    const bucket = bucketOf(rt);
    const current = this.store.rv;
    let snapshotRv = current;
    let entries: [string, Obj][];
    let start = '';
    const rvParam = opts.resourceVersion ?? '';
    if (opts.resourceVersionMatch && rvParam === '') {
      throw errors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    }
    if (opts.resourceVersionMatch && !['Exact', 'NotOlderThan'].includes(opts.resourceVersionMatch)) {
      throw errors.badRequest(`resourceVersionMatch: Unsupported value: "${opts.resourceVersionMatch}": supported values: "Exact", "NotOlderThan"`);
    }
    if (opts.continueToken) {
      const token = decodeContinue(opts.continueToken);
      try {
        entries = this.store.listAt(bucket, token.rv);
      } catch (e) {
        if (e instanceof ExpiredError) throw errors.continueExpired();
        throw e;
      }
      snapshotRv = token.rv;
      start = token.start;
    } else if (rvParam !== '' && rvParam !== '0') {
      const rv = parseRv(rvParam);
      if (rv > current) throw errors.tooLargeResourceVersion(rvParam, current);
      if (opts.resourceVersionMatch === 'Exact') {
        try {
          entries = this.store.listAt(bucket, rv);
        } catch (e) {
          if (e instanceof ExpiredError) throw errors.expired(rvParam, e.oldest);
          throw e;
        }
        snapshotRv = rv;
      } else entries = this.store.list(bucket);
    } else entries = this.store.list(bucket);

    const nsPrefix = rt.namespaced && opts.namespace ? `${opts.namespace}/` : '';
    const label = opts.labelSelector ?? (() => true);
    const field = opts.fieldSelector ?? (() => true);
    const matching: [string, Obj][] = [];
    for (const [key, obj] of entries) {
      if (key < start || (nsPrefix && !key.startsWith(nsPrefix))) continue;
      const view = toView(rt, obj);
      if (label(view) && field(view)) matching.push([key, view]);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const page = matching.slice(0, limit);
    const result: ListResult = { items: page.map(([, o]) => o), resourceVersion: String(snapshotRv) };
    if (matching.length > page.length) {
      result.continue = encodeContinue(snapshotRv, page[page.length - 1][0]);
      if (!opts.selective) result.remainingItemCount = matching.length - page.length;
    }
    return result;
  }

  create(rt: ResourceType, namespace: string | undefined, body: Rec, opts: CreateOptions): Obj {
    checkTypeMeta(rt, body);
    const obj = toStorage(rt, body as Obj);
    checkMicroTimes(bucketOf(rt), obj, rt.kind);
    const meta = obj.metadata;
    if (rt.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && namespace !== undefined && meta.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? (meta.namespace as string | undefined);
      if (!meta.namespace) throw errors.badRequest('a namespace is required to create a namespaced object');
    } else delete meta.namespace;
    if (meta.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName !== '') {
      meta.name = `${meta.generateName}${randomBytes(4).toString('hex').slice(0, 5)}`;
    }
    validateMeta(rt, meta);
    const name = String(meta.name);
    const ns = meta.namespace as string | undefined;
    if (rt.namespaced && !this.namespaceExists(ns!)) {
      if (!opts.autoNamespace) throw errors.namespaceNotFound(ns!);
      this.create(NAMESPACES, undefined, { metadata: { name: ns } }, { manager: opts.manager, dryRun: opts.dryRun });
    }
    const bucket = bucketOf(rt);
    const key = this.keyOf(rt, ns, name);
    if (this.store.get(bucket, key)) throw errors.alreadyExists(rt, name);

    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'generation', 'selfLink']) delete meta[k];
    meta.uid = randomUUID();
    meta.creationTimestamp = nowRfc3339();
    if (rt.generationFields) meta.generation = 1;
    if (rt.statusSubresource && !opts.keepStatus && rt.plural !== 'nodes') delete obj.status;
    applyDefaults(bucket, obj, undefined, this.alloc);
    meta.managedFields = recordManager(undefined, obj, opts.manager, apiVersionOf(rt), undefined);
    if (opts.dryRun) return toView(rt, obj);
    return toView(rt, this.store.put(bucket, key, obj));
  }

  update(rt: ResourceType, namespace: string | undefined, name: string, body: Rec, opts: WriteOptions): Obj {
    checkTypeMeta(rt, body);
    if (opts.subresource === 'status' && !rt.statusSubresource) throw errors.noRoute();
    if (!this.exists(rt, namespace, name) && rt.createOnUpdate && opts.subresource === undefined) {
      return this.createOnUpdate(rt, namespace, name, body, opts);
    }
    const existing = this.existing(rt, namespace, name);
    const input = toStorage(rt, body as Obj);
    checkMicroTimes(bucketOf(rt), input, rt.kind);
    const meta = input.metadata;
    if (meta.name !== name) {
      throw errors.badRequest(`the name of the object (${String(meta.name ?? '')}) does not match the name on the URL (${name})`);
    }
    if (rt.namespaced && meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
      parseRv(String(meta.resourceVersion));
      if (meta.resourceVersion !== existing.metadata.resourceVersion) throw errors.conflict(rt, name);
    }

    let next: Obj;
    if (opts.subresource === 'status') {
      next = clone(existing) as Obj;
      if (input.status === undefined) delete next.status;
      else next.status = input.status;
    } else {
      validateMeta(rt, meta);
      const old = existing.metadata;
      next = input;
      next.metadata = {
        ...meta,
        name,
        namespace: old.namespace,
        uid: old.uid,
        creationTimestamp: old.creationTimestamp,
        generation: old.generation,
        managedFields: old.managedFields,
      };
      if (!rt.namespaced) delete next.metadata.namespace;
      if (old.generation === undefined) delete next.metadata.generation;
      if (rt.statusSubresource) {
        // A write to the main resource cannot change status, as with the real API.
        if (existing.status === undefined) delete next.status;
        else next.status = clone(existing.status);
      }
      applyDefaults(bucketOf(rt), next, existing, this.alloc);
      const specChanged = (rt.generationFields ?? []).some((f) => !isDeepStrictEqual(next[f], existing[f]));
      if (specChanged && typeof old.generation === 'number') next.metadata.generation = old.generation + 1;
    }
    // Writing what is already stored is a no-op: no new resourceVersion, no watch event.
    if (isDeepStrictEqual(comparable(next), comparable(existing))) return toView(rt, existing);
    next.metadata = {
      ...next.metadata,
      managedFields: recordManager(existing.metadata.managedFields, next, opts.manager, apiVersionOf(rt), opts.subresource),
    };
    if (opts.dryRun) return toView(rt, next);
    return toView(rt, this.store.put(bucketOf(rt), this.keyOf(rt, namespace, name), next));
  }

  exists(rt: ResourceType, namespace: string | undefined, name: string): boolean {
    return this.store.get(bucketOf(rt), this.keyOf(rt, namespace, name)) !== undefined;
  }

  /** PUT of a missing object, for types whose real strategy allows it. */
  private createOnUpdate(rt: ResourceType, namespace: string | undefined, name: string, body: Rec, opts: WriteOptions): Obj {
    const meta = (body.metadata ?? {}) as Rec;
    if (meta.name !== name) {
      throw errors.badRequest(`the name of the object (${String(meta.name ?? '')}) does not match the name on the URL (${name})`);
    }
    // A resourceVersion names a version of an object that does not exist.
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') throw errors.conflict(rt, name);
    return this.create(rt, namespace, body, { manager: opts.manager, dryRun: opts.dryRun });
  }

  patch(rt: ResourceType, namespace: string | undefined, name: string, patchType: string, patch: unknown, opts: WriteOptions): Obj {
    const existing = this.existing(rt, namespace, name);
    const patched = applyPatch(patchType, clone(toView(rt, existing)) as unknown as Json, patch as Json);
    if (!patched || typeof patched !== 'object' || Array.isArray(patched)) {
      throw errors.unprocessable('the patch must produce a JSON object');
    }
    // The patched object keeps the stored resourceVersion unless the patch set one, which
    // update() then checks: a patch carrying a resourceVersion is a precondition.
    return this.update(rt, namespace, name, patched as Rec, opts);
  }

  delete(rt: ResourceType, namespace: string | undefined, name: string, opts: WriteOptions, pre: DeletePreconditions = {}): Obj {
    const existing = this.existing(rt, namespace, name);
    if (pre.uid !== undefined && pre.uid !== existing.metadata.uid) {
      throw errors.preconditionFailed(rt, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(existing.metadata.uid)}`);
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw errors.preconditionFailed(
        rt,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(existing.metadata.resourceVersion)}`,
      );
    }
    if (opts.dryRun) return toView(rt, existing);
    if (rt === NAMESPACES) this.terminateNamespace(existing);
    const removed = this.store.remove(bucketOf(rt), this.keyOf(rt, namespace, name));
    return toView(rt, removed!);
  }

  deleteCollection(rt: ResourceType, opts: ListOptions & WriteOptions): Obj[] {
    const { items } = this.list(rt, { ...opts, limit: undefined, continueToken: undefined, resourceVersion: undefined, resourceVersionMatch: undefined });
    const deleted: Obj[] = [];
    for (const item of items) {
      try {
        deleted.push(this.delete(rt, item.metadata.namespace, String(item.metadata.name), opts));
      } catch (e) {
        if (!(e instanceof ApiError && e.status.code === 404)) throw e;
      }
    }
    return deleted;
  }

  /** A namespace goes Terminating, its contents are deleted, then it goes (synchronously). */
  private terminateNamespace(ns: Obj): void {
    const name = String(ns.metadata.name);
    const terminating = clone(ns) as Obj;
    terminating.metadata.deletionTimestamp = nowRfc3339();
    terminating.status = { ...(terminating.status as Rec), phase: 'Terminating' };
    this.store.put(bucketOf(NAMESPACES), name, terminating);
    const buckets = new Set<string>();
    for (const rt of RESOURCES) {
      if (!rt.namespaced || buckets.has(bucketOf(rt))) continue;
      buckets.add(bucketOf(rt));
      for (const [key] of this.store.list(bucketOf(rt))) {
        if (key.startsWith(`${name}/`)) this.store.remove(bucketOf(rt), key);
      }
    }
  }
}

export function parseRv(value: string): number {
  if (!/^\d+$/.test(value)) throw errors.badRequest(`Invalid value: "${value}": resourceVersion must be a non-negative integer`);
  return Number(value);
}
