// Kubernetes objects for sluice's manifests mode, generated from a RouteSpec, and written as
// multi-document YAML files (about 500 objects per file, as a repository of manifests would be).

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostSpec, RouteSpec } from './routes.ts';
import { servicesOf } from './routes.ts';
import { toYamlStream } from './yaml.ts';

export type Obj = Record<string, unknown>;

export const INGRESS_CLASS = 'sluice';
export const CONFIG_NS = 'bench';
export const CONFIG_NAME = 'sluice-config';
export const TLS_SECRET = 'bench-tls';

export function ingressClass(): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: INGRESS_CLASS },
    spec: { controller: 'sluice.dev/ingress-controller' },
  };
}

export function configMap(namespace: string, name: string, data: Record<string, string>): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

export function tlsSecret(namespace: string, name: string, certPem: string, keyPem: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(certPem).toString('base64'), 'tls.key': Buffer.from(keyPem).toString('base64') },
  };
}

export function opaqueSecret(namespace: string, name: string, data: Record<string, string>): Obj {
  const enc: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) enc[k] = Buffer.from(v).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data: enc };
}

export function service(namespace: string, name: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { app: name } },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  };
}

/**
 * The Service's endpoints: one EndpointSlice per backend port (the two backend nginx ports
 * stand for two pods), each with one ready endpoint on 127.0.0.1.
 */
export function endpointSlices(namespace: string, svc: string, backendPorts: readonly number[]): Obj[] {
  return backendPorts.map((port, i) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-${i}`, namespace, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: `${svc}-pod-${i}`, namespace } }],
  }));
}

export function ingress(h: HostSpec, extra: { annotations?: Record<string, string>; extraPaths?: HostSpec['paths'] } = {}): Obj {
  const paths = [...h.paths, ...(extra.extraPaths ?? [])];
  const spec: Obj = {
    ingressClassName: INGRESS_CLASS,
    rules: [
      {
        host: h.host,
        http: { paths: paths.map((p) => ({ path: p.path, pathType: p.type, backend: { service: { name: p.service, port: { name: 'http' } } } })) },
      },
    ],
  };
  if (h.tls) spec.tls = [{ hosts: [h.host], secretName: TLS_SECRET }];
  const metadata: Obj = { name: h.ingress, namespace: h.namespace };
  if (extra.annotations) metadata.annotations = extra.annotations;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata, spec };
}

/** Writes a file atomically (temp file + rename), as editors and config management do. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function writeChunks(dir: string, prefix: string, objs: readonly Obj[], perFile: number): number {
  let files = 0;
  for (let i = 0; i < objs.length; i += perFile) {
    writeFileSync(join(dir, `${prefix}-${String(files).padStart(3, '0')}.yaml`), toYamlStream(objs.slice(i, i + perFile)));
    files++;
  }
  return files;
}

export interface SluiceManifestOptions {
  backendPorts: readonly number[];
  certPem: string;
  keyPem: string;
  /** ConfigMap data (ingress-nginx key names). */
  config: Record<string, string>;
}

export interface WrittenManifests {
  dir: string;
  /** File holding only the target Ingress (rewritten by the route-change case). */
  targetFile: string;
  objects: number;
  files: number;
}

/**
 * Writes the manifests for a table into `dir`: IngressClass, ConfigMap, TLS Secrets (one per
 * namespace that has a TLS host), Services + EndpointSlices, and the Ingresses. The target
 * Ingress sits alone in 90-target.yaml.
 */
export function writeSluiceManifests(dir: string, t: RouteSpec, o: SluiceManifestOptions): WrittenManifests {
  mkdirSync(dir, { recursive: true });
  const head: Obj[] = [ingressClass(), configMap(CONFIG_NS, CONFIG_NAME, o.config)];
  const tlsNs = new Set(t.hosts.filter((h) => h.tls).map((h) => h.namespace));
  tlsNs.add(CONFIG_NS);
  for (const ns of [...tlsNs].sort()) head.push(tlsSecret(ns, TLS_SECRET, o.certPem, o.keyPem));
  writeFileSync(join(dir, '00-base.yaml'), toYamlStream(head));
  const svcObjs: Obj[] = [];
  for (const s of servicesOf(t)) svcObjs.push(service(s.namespace, s.name), ...endpointSlices(s.namespace, s.name, o.backendPorts));
  const ings = t.hosts.filter((_, i) => i !== t.target).map((h) => ingress(h));
  let files = 1;
  files += writeChunks(dir, '20-services', svcObjs, 600);
  files += writeChunks(dir, '30-ingresses', ings, 500);
  const targetFile = join(dir, '90-target.yaml');
  writeFileSync(targetFile, toYamlStream([ingress(t.hosts[t.target]!)]));
  files++;
  return { dir, targetFile, objects: head.length + svcObjs.length + ings.length + 1, files };
}

/**
 * Generation `gen` of the route-change file: the target Ingress with its /api path switched
 * between its two Services and one extra path /churn-<gen>, plus on even generations an extra
 * Ingress (another host) that odd generations delete again.
 */
export function churnObjects(t: RouteSpec, gen: number): Obj[] {
  const h = t.hosts[t.target]!;
  const other = (svc: string): string => (svc.startsWith('api-') ? svc.replace(/^api-/, 'web-') : svc.replace(/^web-/, 'api-'));
  const flipped: HostSpec = { ...h, paths: h.paths.map((p) => (p.path === '/api' && gen % 2 === 1 ? { ...p, service: other(p.service) } : p)) };
  const objs: Obj[] = [ingress(flipped, { annotations: { 'bench.sluice.dev/generation': String(gen) }, extraPaths: [{ path: `/churn-${gen}`, type: 'Exact', service: h.paths[0]!.service }] })];
  if (gen % 2 === 0) {
    objs.push(ingress({ namespace: h.namespace, ingress: 'churn-extra', host: `churn-extra-${gen % 10}.bench.test`, tls: false, paths: [{ path: '/', type: 'Prefix', service: h.paths[0]!.service }] }));
  }
  return objs;
}
