// The cluster the Kubernetes-mode tests run against: the in-repo fake API server, or a real
// cluster (SLUICE_TEST_KUBECONFIG). Tests write objects through the API with client-node, so
// the same test code runs on both; what only the fake can do (fault injection, the request
// log) is behind `cluster.fake`, and tests that need it skip on a real cluster.
//
// Every run gets its own namespace, IngressClass (and controller class) and Lease name, and
// sluice is started with --watch-namespace, so a real cluster's other Ingresses are untouched.

import { randomBytes } from 'node:crypto';
import { rmSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CoreV1Api, KubeConfig, KubernetesObjectApi, NetworkingV1Api, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer } from '../fake-apiserver/index.ts';
import { startSluice, type Sluice } from '../helpers/sluice.ts';

export interface ClusterUnderTest {
  name: string;
  kubeconfig: string;
  /** Namespace of this run: every test object lives here, and sluice watches only it. */
  namespace: string;
  ingressClass: string;
  controllerClass: string;
  electionId: string;
  /** Present only with the fake API server. */
  fake: FakeApiServer | null;
  apply(obj: object): Promise<KubernetesObject>;
  patch(obj: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }, patch: object): Promise<void>;
  remove(apiVersion: string, kind: string, name: string, namespace?: string): Promise<void>;
  get<T = Record<string, any>>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined>;
  list<T = Record<string, any>>(apiVersion: string, kind: string, namespace?: string): Promise<T[]>;
  /** Writes an Ingress's status subresource (what another controller or a user might do). */
  setIngressStatus(name: string, status: object): Promise<void>;
  /** Writes a Service's status subresource (what a cloud load-balancer controller does). */
  setServiceStatus(name: string, status: object): Promise<void>;
  close(): Promise<void>;
}

function isNotFound(e: unknown): boolean {
  return e instanceof ApiException && e.code === 404;
}

function clientsOf(kubeconfigPath: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return { objects: KubernetesObjectApi.makeApiClient(kc), net: kc.makeApiClient(NetworkingV1Api), core: kc.makeApiClient(CoreV1Api) };
}

async function makeCluster(name: string, kubeconfig: string, fake: FakeApiServer | null, cleanup: () => Promise<void>): Promise<ClusterUnderTest> {
  const { objects, net, core } = clientsOf(kubeconfig);
  const id = randomBytes(3).toString('hex');
  const namespace = `sluice-test-${id}`;
  const c: ClusterUnderTest = {
    name,
    kubeconfig,
    namespace,
    ingressClass: `sluice-test-${id}`,
    controllerClass: `sluice.dev/test-${id}`,
    electionId: `sluice-test-${id}`,
    fake,
    async apply(obj) {
      const o = structuredClone(obj) as KubernetesObject;
      o.metadata ??= {};
      const ns = (o.metadata as { namespace?: string }).namespace;
      try {
        const cur = await objects.read({ apiVersion: o.apiVersion!, kind: o.kind!, metadata: { name: o.metadata.name!, ...(ns ? { namespace: ns } : {}) } });
        o.metadata.resourceVersion = cur.metadata?.resourceVersion;
        return await objects.replace(o);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        return objects.create(o);
      }
    },
    async patch(obj, patch) {
      await objects.patch({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: obj.metadata, ...patch } as KubernetesObject, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
    },
    async remove(apiVersion, kind, name, ns) {
      try {
        await objects.delete({ apiVersion, kind, metadata: { name, ...(ns ? { namespace: ns } : {}) } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
    async get<T>(apiVersion: string, kind: string, name: string, ns?: string): Promise<T | undefined> {
      try {
        const spec = { apiVersion, kind, metadata: ns ? { name, namespace: ns } : { name } };
        return (await objects.read<KubernetesObject>(spec)) as T;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async list<T>(apiVersion: string, kind: string, ns?: string): Promise<T[]> {
      return (await objects.list<KubernetesObject>(apiVersion, kind, ns)).items as T[];
    },
    async setIngressStatus(ingName, status) {
      await net.patchNamespacedIngressStatus({ name: ingName, namespace, body: { status } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    },
    async setServiceStatus(svcName, status) {
      await core.patchNamespacedServiceStatus({ name: svcName, namespace, body: { status } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    },
    async close() {
      await cleanup();
    },
  };
  await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await c.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: c.ingressClass }, spec: { controller: c.controllerClass } });
  const base = cleanup;
  // Cluster-scoped leftovers go with the run.
  c.close = async () => {
    await c.remove('networking.k8s.io/v1', 'IngressClass', c.ingressClass).catch(() => {});
    if (!fake) await c.remove('v1', 'Namespace', namespace).catch(() => {});
    await base();
  };
  return c;
}

export async function fakeCluster(opts: { bookmarkIntervalMs?: number; compactionWindow?: number } = {}): Promise<ClusterUnderTest> {
  const api = await startFakeApiServer({ bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 500, ...(opts.compactionWindow ? { compactionWindow: opts.compactionWindow } : {}) });
  const path = await api.writeKubeconfig();
  return makeCluster('fake API server', path, api, () => api.close());
}

/** A real cluster, from SLUICE_TEST_KUBECONFIG (the kubeconfig is copied: tests never edit it). */
export async function realCluster(kubeconfig: string): Promise<ClusterUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kc-'));
  const path = join(dir, 'kubeconfig');
  copyFileSync(kubeconfig, path);
  return makeCluster('real cluster', path, null, async () => rmSync(dir, { recursive: true, force: true }));
}

export interface ClusterSluiceOptions {
  workers?: number;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  waitReady?: boolean;
}

/** Starts the real binary in cluster mode against `c` (no --manifests). */
export function startClusterSluice(c: ClusterUnderTest, o: ClusterSluiceOptions = {}): Promise<Sluice> {
  const args = [
    '--kubeconfig', c.kubeconfig,
    '--watch-namespace', c.namespace,
    '--controller-namespace', c.namespace,
    '--ingress-class', c.ingressClass,
    '--controller-class', c.controllerClass,
    '--election-id', c.electionId,
    '--workers', String(o.workers ?? 1),
    ...(o.args ?? []),
  ];
  return startSluice({ manifests: [], args, env: o.env, waitReady: o.waitReady });
}

/** Sum of a Prometheus metric (all series matching the label filter) from /metrics. */
export async function metric(s: Sluice, name: string, labels: Record<string, string> = {}): Promise<number> {
  const body = (await s.admin('/metrics')).body;
  let sum = 0;
  for (const line of body.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? ([^ ]+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const ls = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => ls.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}
