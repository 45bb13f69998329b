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

test('YAML 1.2 core scalars, as the API server reads them: on/yes stay strings, no timestamps', () => {
  const r = parseManifestText('a: on\nb: yes\nc: 2024-01-01T00:00:00Z\nd: true\ne: "8"\nf: 8\n');
  assert.equal(r.error, null);
  assert.deepEqual(r.objects, [{ a: 'on', b: 'yes', c: '2024-01-01T00:00:00Z', d: true, e: '8', f: 8 }]);
});

test('an alias bomb is refused with a clear error, not expanded', () => {
  let text = 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 9; i++) text += `l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]\n`;
  const r = parseManifestText(text);
  assert.equal(r.objects.length, 0);
  assert.match(r.error!, /aliases expand to more than \d+ nodes/);
  const many = parseManifestText(`a: &a 1\nb: [${Array(101).fill('*a').join(', ')}]\n`);
  assert.match(many.error!, /alias/i);
  const few = parseManifestText('a: &a {x: 1}\nb: *a\n');
  assert.deepEqual(few.objects, [{ a: { x: 1 }, b: { x: 1 } }]);
});

test('syntax error lines are 1-based', () => {
  const r = parseManifestText('a: 1\nb: 2\nc: [unclosed\n');
  assert.match(r.error!, /^line [34]: /);
});
