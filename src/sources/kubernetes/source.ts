// Cluster mode: objects come from the Kubernetes API through list+watch loops (reflector.ts)
// into the same Store the manifest source writes.
//
// What is watched, and why no more:
//   Ingress, Service, EndpointSlice   all namespaces, or --watch-namespace
//   IngressClass                      cluster-scoped
//   Secret                            only type kubernetes.io/tls (field selector); Secrets that
//                                     annotations reference (auth files, CA bundles) are watched
//                                     one by one by name once a compile names them
//   ConfigMap                         --configmap, by name in its namespace; ConfigMaps that
//                                     annotations reference (auth-proxy-set-headers), by name
// Objects named by flags outside --watch-namespace (--default-backend-service, --publish-service,
// --default-ssl-certificate) get their own watches by name.

import { SERVICE_NAME_LABEL, type Store } from '../../store/store.ts';
import type { Logger } from '../../log/logger.ts';
import type { KubeApi } from './api-client.ts';
import { EndpointGate } from './endpoint-gate.ts';
import { Reflector, type ReflectorObserver, type ReflectorSink, type ReflectorSpec, type ReflectorState } from './reflector.ts';
import { RESOURCES } from './resources.ts';
import { StoreWriter } from './store-writer.ts';

export interface KubernetesSourceOptions {
  /** Only this namespace (null: all). */
  watchNamespace: string | null;
  /** `namespace/name` references from flags. */
  configMap: string | null;
  defaultSslCertificate: string | null;
  defaultBackendService: string | null;
  publishService: string | null;
  /** How long a new Ingress waits for its new Services' endpoints (endpoint-gate.ts). */
  endpointHoldMs?: number;
}

export interface SourceProblem {
  resource: string;
  message: string;
}

function split(ref: string): [string, string] {
  const i = ref.indexOf('/');
  return [ref.slice(0, i), ref.slice(i + 1)];
}

export class KubernetesSource {
  readonly #api: KubeApi;
  readonly #opts: KubernetesSourceOptions;
  readonly #log: Logger;
  readonly #obs: ReflectorObserver;
  readonly #writer: StoreWriter;
  readonly #gate: EndpointGate;
  readonly #static: Reflector[] = [];
  /** Annotation-referenced objects (`Secret:namespace/name`, `ConfigMap:namespace/name`) → their watch. */
  readonly #named = new Map<string, Reflector>();
  readonly #ingressListeners: ((key: string) => void)[] = [];
  readonly #secretListeners: (() => void)[] = [];
  #stopped = false;

  constructor(api: KubeApi, store: Store, opts: KubernetesSourceOptions, log: Logger, obs: ReflectorObserver = {}) {
    this.#api = api;
    this.#opts = opts;
    this.#log = log;
    this.#obs = obs;
    this.#writer = new StoreWriter(store);
    this.#gate = new EndpointGate(store, (o) => this.#writer.publish(o), log, opts.endpointHoldMs);
    this.#writer.filter('Ingress', this.#gate);
    for (const spec of this.#staticSpecs()) this.#static.push(this.#reflector(spec));
  }

  #staticSpecs(): ReflectorSpec[] {
    const ns = this.#opts.watchNamespace;
    const where = ns ? ` in ${ns}` : '';
    const specs: ReflectorSpec[] = [
      { id: `ingresses${where}`, metricsLabel: 'ingresses', resource: RESOURCES.Ingress, namespace: ns },
      { id: 'ingressclasses', resource: RESOURCES.IngressClass, namespace: null },
      { id: `services${where}`, metricsLabel: 'services', resource: RESOURCES.Service, namespace: ns },
      { id: `endpointslices${where}`, metricsLabel: 'endpointslices', resource: RESOURCES.EndpointSlice, namespace: ns, labelSelector: SERVICE_NAME_LABEL },
      { id: `secrets (kubernetes.io/tls)${where}`, metricsLabel: 'secrets-tls', resource: RESOURCES.Secret, namespace: ns, fieldSelector: 'type=kubernetes.io/tls' },
    ];
    const o = this.#opts;
    if (o.configMap) {
      const [cns, name] = split(o.configMap);
      specs.push({ id: `configmap ${o.configMap}`, metricsLabel: 'configmap', resource: RESOURCES.ConfigMap, namespace: cns, fieldSelector: `metadata.name=${name}` });
    }
    // Always by name: it may be outside --watch-namespace, or not typed kubernetes.io/tls.
    if (o.defaultSslCertificate) specs.push(this.#namedSecretSpec(o.defaultSslCertificate, 'secret-flag'));
    const outside = (ref: string): boolean => ns !== null && split(ref)[0] !== ns;
    for (const ref of new Set([o.defaultBackendService, o.publishService])) {
      if (!ref || !outside(ref)) continue;
      const [sns, name] = split(ref);
      specs.push({ id: `service ${ref}`, metricsLabel: 'service-flag', resource: RESOURCES.Service, namespace: sns, fieldSelector: `metadata.name=${name}` });
      specs.push({ id: `endpointslices of ${ref}`, metricsLabel: 'endpointslices-flag', resource: RESOURCES.EndpointSlice, namespace: sns, labelSelector: `${SERVICE_NAME_LABEL}=${name}` });
    }
    return specs;
  }

  #namedSecretSpec(ref: string, label: string): ReflectorSpec {
    const [ns, name] = split(ref);
    return { id: `secret ${ref}`, metricsLabel: label, resource: RESOURCES.Secret, namespace: ns, fieldSelector: `metadata.name=${name}` };
  }

  #reflector(spec: ReflectorSpec): Reflector {
    let sink: ReflectorSink = this.#writer.sinkFor(spec.id, spec.resource.kind);
    if (spec.resource.kind === 'Ingress') {
      // Every Ingress event, even one the store ignores (status only): the status writer checks
      // that what it wrote is still there.
      const inner = sink;
      sink = {
        replace: (objs) => {
          inner.replace(objs);
          for (const o of objs) this.#ingressEvent(`${o.metadata.namespace}/${o.metadata.name}`);
        },
        upsert: (o) => {
          inner.upsert(o);
          this.#ingressEvent(`${o.metadata.namespace}/${o.metadata.name}`);
        },
        remove: (ns, name) => inner.remove(ns, name),
      };
    }
    return new Reflector(this.#api, spec, sink, this.#log, this.#obs);
  }

  #ingressEvent(key: string): void {
    for (const fn of this.#ingressListeners) fn(key);
  }

  /** Called with `namespace/name` for every Ingress the API reports added or modified. */
  onIngressEvent(fn: (key: string) => void): void {
    this.#ingressListeners.push(fn);
  }

  /** Called when a newly referenced Secret's or ConfigMap's first list is in (found or not). */
  onReferenceSynced(fn: () => void): void {
    this.#secretListeners.push(fn);
  }

  start(): void {
    for (const r of this.#static) r.start();
  }

  /** Resolves when every static watch has its first list in the store. */
  async initialSync(): Promise<void> {
    await Promise.all(this.#static.map((r) => r.synced));
  }

  /** After the first compile: from now on new Ingresses wait for their Services' endpoints. */
  activateGate(): void {
    this.#gate.activate();
  }

  /**
   * The Secrets and ConfigMaps annotations reference (from the last compile): watch exactly
   * these, by name. Returns the watches' first lists, for the initial sync.
   */
  setReferenced(refs: { referencedSecrets: readonly string[]; referencedConfigMaps?: readonly string[] }): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const want = new Map<string, ReflectorSpec>();
    for (const key of refs.referencedSecrets) want.set(`Secret:${key}`, { ...this.#namedSecretSpec(key, 'secret-referenced'), id: `referenced secret ${key}` });
    for (const key of refs.referencedConfigMaps ?? []) {
      const [ns, name] = split(key);
      want.set(`ConfigMap:${key}`, { id: `referenced configmap ${key}`, metricsLabel: 'configmap-referenced', resource: RESOURCES.ConfigMap, namespace: ns, fieldSelector: `metadata.name=${name}` });
    }
    for (const [key, r] of [...this.#named]) {
      if (want.has(key)) continue;
      this.#named.delete(key);
      const id = r.spec.id;
      void r.stop().then(() => this.#writer.release(id));
    }
    const pending: Promise<void>[] = [];
    for (const [key, spec] of want) {
      let r = this.#named.get(key);
      if (!r) {
        r = this.#reflector(spec);
        this.#named.set(key, r);
        void r.synced.then(() => {
          if (this.#named.get(key) === r) for (const fn of this.#secretListeners) fn();
        });
        r.start();
      }
      pending.push(r.synced);
    }
    return Promise.all(pending).then(() => {});
  }

  /** True when every referenced object has been looked up (so "not found" is real). */
  referencesSynced(refs: { referencedSecrets: readonly string[]; referencedConfigMaps?: readonly string[] }): boolean {
    for (const k of refs.referencedSecrets) if (!this.#named.get(`Secret:${k}`)?.state.synced) return false;
    for (const k of refs.referencedConfigMaps ?? []) if (!this.#named.get(`ConfigMap:${k}`)?.state.synced) return false;
    return true;
  }

  /** What the initial sync still waits for (for /healthz). */
  waitingFor(): string[] {
    return this.#static.filter((r) => !r.state.synced).map((r) => r.spec.id);
  }

  states(): ReflectorState[] {
    return [...this.#static, ...this.#named.values()].map((r) => r.state);
  }

  /** Watches currently failing (for /debug/errors). */
  problems(): SourceProblem[] {
    const out: SourceProblem[] = [];
    for (const s of this.states()) if (s.lastError) out.push({ resource: s.id, message: s.lastError });
    return out;
  }

  /** The first error of a watch that has not synced yet (why /healthz is not ready). */
  syncProblem(): string | null {
    for (const r of this.#static) if (!r.state.synced && r.state.lastError) return r.state.lastError;
    return null;
  }

  get heldIngresses(): number {
    return this.#gate.heldCount;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#gate.stop();
    await Promise.all([...this.#static, ...this.#named.values()].map((r) => r.stop()));
  }
}
