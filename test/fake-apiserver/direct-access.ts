// The test's own hands on the store: typed-enough CRUD that goes through the same registry
// semantics as HTTP requests (so watchers see exactly what a real write would produce),
// minus the HTTP-only ceremony (namespaces are created on demand, status is kept on create).

import { PATCH_TYPES } from './patch.ts';
import type { Registry } from './registry.ts';
import { findByKind, type ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError } from './status.ts';

/** A kind ('Service', 'Ingress'; bare 'Event' is core/v1), a resource id ('ingresses.networking.k8s.io'), or apiVersion + kind. */
export type TypeRef = string | { apiVersion: string; kind: string };

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export type PatchType = 'merge' | 'strategic' | 'json';

const MANAGER = 'fake-apiserver-test';

function resolve(ref: TypeRef): ResourceType {
  return typeof ref === 'string' ? findByKind(ref) : findByKind(ref.apiVersion, ref.kind);
}

function typeOf(obj: KubeObject): ResourceType {
  if (!obj.kind) throw new Error('fake apiserver: object needs a kind');
  return obj.apiVersion ? findByKind(obj.apiVersion, obj.kind) : findByKind(obj.kind);
}

function copy<T>(v: unknown): T {
  return structuredClone(v) as T;
}

export class DirectAccess {
  private readonly registry: Registry;

  constructor(registry: Registry) {
    this.registry = registry;
  }

  /** Creates an object (its namespace too, if missing). Throws ApiError (e.g. 409 AlreadyExists). */
  create<T extends KubeObject>(obj: T): T {
    const rt = typeOf(obj);
    return copy(this.registry.create(rt, obj.metadata?.namespace, obj, { manager: MANAGER, autoNamespace: true, keepStatus: true }));
  }

  /** PUT semantics on the main resource: status is kept; a stale resourceVersion throws 409. */
  update<T extends KubeObject>(obj: T): T {
    const rt = typeOf(obj);
    return copy(this.registry.update(rt, obj.metadata?.namespace, String(obj.metadata?.name), obj, { manager: MANAGER }));
  }

  /** PUT on the /status subresource: only .status changes. */
  updateStatus<T extends KubeObject>(obj: T): T {
    const rt = typeOf(obj);
    return copy(this.registry.update(rt, obj.metadata?.namespace, String(obj.metadata?.name), obj, { manager: MANAGER, subresource: 'status' }));
  }

  /** Creates, or replaces whatever is stored (ignoring resourceVersion). Not server-side apply. */
  upsert<T extends KubeObject>(obj: T): T {
    const rt = typeOf(obj);
    const namespace = obj.metadata?.namespace;
    const name = String(obj.metadata?.name);
    if (!this.exists(rt, namespace, name)) return this.create(obj);
    const updated = this.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
    return 'status' in obj && rt.statusSubresource ? this.updateStatus({ ...updated, status: obj.status }) : updated;
  }

  private exists(rt: ResourceType, namespace: string | undefined, name: string): boolean {
    try {
      this.registry.get(rt, namespace, name);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status.code === 404) return false;
      throw e;
    }
  }

  patch<T extends KubeObject = KubeObject>(
    ref: TypeRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType = 'merge',
    opts: { subresource?: 'status' } = {},
  ): T {
    const rt = resolve(ref);
    return copy(this.registry.patch(rt, namespace, name, PATCH_TYPES[type], patch, { manager: MANAGER, subresource: opts.subresource }));
  }

  /** Deletes; returns the deleted object, or undefined if there was none. */
  delete<T extends KubeObject = KubeObject>(ref: TypeRef, namespace: string | undefined, name: string): T | undefined {
    try {
      return copy(this.registry.delete(resolve(ref), namespace, name, { manager: MANAGER }));
    } catch (e) {
      if (e instanceof ApiError && e.status.code === 404) return undefined;
      throw e;
    }
  }

  get<T extends KubeObject = KubeObject>(ref: TypeRef, namespace: string | undefined, name: string): T | undefined {
    try {
      return copy(this.registry.get(resolve(ref), namespace, name));
    } catch (e) {
      if (e instanceof ApiError && e.status.code === 404) return undefined;
      throw e;
    }
  }

  list<T extends KubeObject = KubeObject>(
    ref: TypeRef,
    namespace?: string,
    selectors: { labelSelector?: string; fieldSelector?: string } = {},
  ): T[] {
    const rt = resolve(ref);
    const { items } = this.registry.list(rt, {
      namespace,
      labelSelector: parseLabelSelector(selectors.labelSelector),
      fieldSelector: parseFieldSelector(selectors.fieldSelector, rt),
    });
    return copy(items);
  }
}
