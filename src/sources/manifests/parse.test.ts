import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText } from './parse.ts';

test('multi-document YAML, Lists and JSON', () => {
  const y = parseManifestText('a: 1\n---\n---\nkind: List\napiVersion: v1\nitems:\n  - {kind: Service, x: 1}\n  - {kind: Service, x: 2}\n');
  assert.equal(y.error, null);
  assert.equal(y.objects.length, 3);
  const j = parseManifestText(JSON.stringify({ kind: 'IngressList', apiVersion: 'networking.k8s.io/v1', items: [{ kind: 'Ingress' }] }));
  assert.deepEqual(j.objects, [{ kind: 'Ingress' }]);
});

test('syntax errors name the line', () => {
  const r = parseManifestText('a: 1\nb: [unclosed\nc: 2\n');
  assert.notEqual(r.error, null);
  assert.match(r.error!, /^line \d+/);
});

test('duplicate keys are an error, as the API server would reject them', () => {
  const r = parseManifestText('kind: Service\nkind: ConfigMap\n');
  assert.notEqual(r.error, null);
});
