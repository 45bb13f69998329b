// Memoization that keeps compile a pure function while making a recompile cost what changed,
// not what exists: with 10,000 Ingresses a change touches one, yet every compile re-parsed every
// Ingress's annotations, re-resolved every backend and re-serialised every route for the hash.
//
// It works because the store replaces an object when it changes and keeps the same object
// otherwise (snapshots share them). So results are cached per input OBJECT (WeakMaps: entries go
// with the objects) and reused only when every input is the same object as last time:
//   - the global config: per ConfigMap object
//   - an Ingress's annotations: per Ingress, valid for the same config and options and while
//     every snapshot entry the parse read (recorded) is still the same object; its diagnostics
//     and Secret/ConfigMap references are replayed
//   - a backend: per Service object and port, valid while the Service's EndpointSlices are the
//     same objects
//   - JSON of routes and backends for the table hash: per object (reused objects hash for free)
// Nothing here changes what compile returns for a given input.

import type { ConfigMap, EndpointSlice, Ingress, IngressServiceBackend, KubeObject, Service } from '../model/k8s.ts';
import type { Snapshot } from '../store/store.ts';
import { resolveBackend, type BackendResolution } from './backends.ts';
import { parseGlobalConfig } from './config.ts';
import { Diagnostics, type Diagnostic } from './diagnostics.ts';
import type { AnnotationContext, IngressAnnotations } from './annotations/index.ts';

// ---------------------------------------------------------------- global config

let lastConfig: { cm: ConfigMap | undefined; parsed: ReturnType<typeof parseGlobalConfig> } | null = null;

/** parseGlobalConfig, returning the same objects while the ConfigMap object is the same. */
export function globalConfigOf(cm: ConfigMap | undefined): ReturnType<typeof parseGlobalConfig> {
  if (lastConfig && lastConfig.cm === cm) return lastConfig.parsed;
  const parsed = parseGlobalConfig(cm);
  lastConfig = { cm, parsed };
  return parsed;
}

// ---------------------------------------------------------------- recorded snapshot reads

type MapName = Exclude<keyof Snapshot, never>;

interface Read {
  map: MapName;
  key: string;
  value: unknown;
}

/** A ReadonlyMap view that records point reads; anything wider makes the result uncacheable. */
class RecordingMap<V> implements ReadonlyMap<string, V> {
  readonly #inner: ReadonlyMap<string, V>;
  readonly #name: MapName;
  readonly #rec: Recorder;

  constructor(inner: ReadonlyMap<string, V>, name: MapName, rec: Recorder) {
    this.#inner = inner;
    this.#name = name;
    this.#rec = rec;
  }

  get(key: string): V | undefined {
    const v = this.#inner.get(key);
    this.#rec.reads.push({ map: this.#name, key, value: v });
    return v;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get size(): number {
    this.#rec.wide = true;
    return this.#inner.size;
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    this.#rec.wide = true;
    this.#inner.forEach((v, k) => fn(v, k, this));
  }

  entries(): MapIterator<[string, V]> {
    this.#rec.wide = true;
    return this.#inner.entries();
  }

  keys(): MapIterator<string> {
    this.#rec.wide = true;
    return this.#inner.keys();
  }

  values(): MapIterator<V> {
    this.#rec.wide = true;
    return this.#inner.values();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
}

interface Recorder {
  reads: Read[];
  wide: boolean;
}

function recording(snap: Snapshot, rec: Recorder): Snapshot {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(snap) as MapName[]) out[name] = new RecordingMap(snap[name] as ReadonlyMap<string, unknown>, name, rec);
  return out as unknown as Snapshot;
}

function readsStillValid(snap: Snapshot, reads: readonly Read[]): boolean {
  for (const r of reads) if ((snap[r.map] as ReadonlyMap<string, unknown>).get(r.key) !== r.value) return false;
  return true;
}

// ---------------------------------------------------------------- annotations

interface AnnotationEntry {
  cfg: unknown;
  opts: unknown;
  reads: Read[];
  result: IngressAnnotations;
  diagnostics: Diagnostic[];
  secrets: string[];
  configMaps: string[];
}

const annotationCache = new WeakMap<Ingress, AnnotationEntry>();

export function parseAnnotationsCached(ing: Ingress, ctx: AnnotationContext, parse: (ing: Ingress, ctx: AnnotationContext) => IngressAnnotations): IngressAnnotations {
  const hit = annotationCache.get(ing);
  if (hit && hit.cfg === ctx.cfg && hit.opts === ctx.opts && readsStillValid(ctx.snap, hit.reads)) {
    for (const d of hit.diagnostics) ctx.diags.list.push(d);
    for (const s of hit.secrets) ctx.referencedSecrets.add(s);
    for (const c of hit.configMaps) ctx.referencedConfigMaps?.add(c);
    return hit.result;
  }
  const rec: Recorder = { reads: [], wide: false };
  const diags = new Diagnostics();
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const result = parse(ing, { ...ctx, snap: recording(ctx.snap, rec), diags, referencedSecrets: secrets, referencedConfigMaps: configMaps });
  for (const d of diags.list) ctx.diags.list.push(d);
  for (const s of secrets) ctx.referencedSecrets.add(s);
  for (const c of configMaps) ctx.referencedConfigMaps?.add(c);
  if (!rec.wide) annotationCache.set(ing, { cfg: ctx.cfg, opts: ctx.opts, reads: rec.reads, result, diagnostics: diags.list, secrets: [...secrets], configMaps: [...configMaps] });
  else annotationCache.delete(ing);
  return result;
}

// ---------------------------------------------------------------- backends

interface BackendEntry {
  svcKey: string;
  svc: Service;
  slices: readonly EndpointSlice[];
  result: BackendResolution;
}

// Keyed by the Ingress's backend reference object (part of the immutable Ingress object).
const backendCache = new WeakMap<IngressServiceBackend, BackendEntry>();

function sameObjects(a: readonly KubeObject[], b: readonly KubeObject[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const NO_SLICES: readonly EndpointSlice[] = [];

/** resolveBackend, returning the same Backend object while the Service and its slices are the same. */
export function resolveBackendCached(snap: Snapshot, namespace: string, ref: IngressServiceBackend): BackendResolution {
  const hit = backendCache.get(ref);
  const svcKey = hit?.svcKey ?? `${namespace}/${ref.name}`;
  const svc = snap.services.get(svcKey);
  if (!svc) return resolveBackend(snap, namespace, ref);
  const slices = snap.slicesByService.get(svcKey) ?? NO_SLICES;
  if (hit && hit.svc === svc && sameObjects(hit.slices, slices)) return hit.result;
  const result = resolveBackend(snap, namespace, ref);
  backendCache.set(ref, { svcKey, svc, slices, result });
  return result;
}

// ---------------------------------------------------------------- JSON for the table hash

const jsonCache = new WeakMap<object, string>();

/** JSON.stringify(value, replacer), cached per object (for objects reused across compiles). */
export function cachedJson(value: object, replacer: (key: string, v: unknown) => unknown): string {
  let s = jsonCache.get(value);
  if (s === undefined) jsonCache.set(value, (s = JSON.stringify(value, replacer)));
  return s;
}
