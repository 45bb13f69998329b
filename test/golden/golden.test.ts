// Golden files for compile: test/golden/cases/<case>.in.yaml (objects, plus an optional
// `kind: CompileOptions` document) → <case>.out.yaml (route table, diagnostics, Ingress reports).
// UPDATE_GOLDEN=1 rewrites the expected files; review the diff.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { compile, type CompileOptions, type CompileResult } from '../../src/compile/compile.ts';
import { DEFAULT_CONFIG } from '../../src/compile/config.ts';
import { defaultRoutePolicy } from '../../src/compile/policy.ts';
import { normalizeObject } from '../../src/store/normalize.ts';
import { snapshotOf } from '../../src/store/store.ts';
import type { KubeObject } from '../../src/model/k8s.ts';

const DIR = fileURLToPath(new URL('./cases', import.meta.url));

export const BASE_OPTIONS: CompileOptions = {
  ingressClass: 'sluice',
  controllerClass: 'sluice.dev/ingress-controller',
  watchWithoutClass: false,
  defaultBackendService: null,
  configMap: null,
  annotationsPrefix: 'nginx.ingress.kubernetes.io',
  allowCrossNamespaceSecrets: false,
  defaultSslCertificate: null,
};

/** A readable view: default policies and default config keys elided. */
export function goldenView(r: CompileResult): unknown {
  const def = JSON.stringify(defaultRoutePolicy(r.table.global));
  const policy = (p: unknown): unknown => (JSON.stringify(p) === def ? 'default' : p);
  const server = (s: CompileResult['table']['servers'][number]) => ({
    ...s,
    routes: s.routes.map((rt) => ({ ...rt, policy: policy(rt.policy) })),
    fallback: { ...s.fallback, policy: policy(s.fallback.policy) },
  });
  const cfg: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.table.global)) {
    if (JSON.stringify(v) !== JSON.stringify((DEFAULT_CONFIG as Record<string, unknown>)[k])) cfg[k] = v;
  }
  return {
    table: {
      generation: r.table.generation,
      servers: r.table.servers.map(server),
      catchAll: server(r.table.catchAll),
      backends: r.table.backends,
      certificates: r.table.certificates.map((c) => ({ ...c, key: '[redacted]' })),
      globalOverrides: cfg,
    },
    diagnostics: r.diagnostics,
    ingresses: r.ingresses,
  };
}

export function loadCase(file: string): { objects: KubeObject[]; options: CompileOptions } {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  let options = BASE_OPTIONS;
  const objects: KubeObject[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    const v = d.toJS() as Record<string, unknown> | null;
    if (!v) continue;
    if (v.kind === 'CompileOptions') {
      options = { ...BASE_OPTIONS, ...(v.options as Partial<CompileOptions>) };
      continue;
    }
    const n = normalizeObject(v);
    if (!n.ok) throw new Error(`${file}: ${JSON.stringify(n)}`);
    objects.push(n.object);
  }
  return { objects, options };
}

for (const f of readdirSync(DIR).filter((n) => n.endsWith('.in.yaml')).sort()) {
  const name = f.slice(0, -'.in.yaml'.length);
  test(`golden: ${name}`, () => {
    const { objects, options } = loadCase(join(DIR, f));
    const result = compile(snapshotOf(objects), options, 1);
    // Pure: the same input gives the same output.
    const again = compile(snapshotOf(objects), options, 1);
    assert.equal(again.table.hash, result.table.hash);
    const actual = stringify(goldenView(result), { lineWidth: 0, aliasDuplicateObjects: false });
    const outFile = join(DIR, `${name}.out.yaml`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(outFile)) {
      writeFileSync(outFile, actual);
      if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`${outFile} did not exist; written — review it and re-run`);
      return;
    }
    assert.equal(actual, readFileSync(outFile, 'utf8'), `golden mismatch for ${name}; run UPDATE_GOLDEN=1 and review the diff`);
  });
}
