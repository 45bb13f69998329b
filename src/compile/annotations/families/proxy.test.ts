import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNextUpstream } from '../../policy.ts';
import { invalidKeys, parseWith } from './test-support.ts';

test('proxy-next-upstream: conditions, invalid_header apart from error, non_idempotent, off', () => {
  assert.deepEqual(parseNextUpstream('error timeout', false), { error: true, timeout: true, invalidHeader: false, statuses: [], nonIdempotent: false });
  assert.deepEqual(parseNextUpstream('http_504  http_502 invalid_header', true), { error: false, timeout: false, invalidHeader: true, statuses: [502, 504], nonIdempotent: true });
  assert.deepEqual(parseNextUpstream('error non_idempotent', false), { error: true, timeout: false, invalidHeader: false, statuses: [], nonIdempotent: true });
  assert.deepEqual(parseNextUpstream('off', true), { error: false, timeout: false, invalidHeader: false, statuses: [], nonIdempotent: false });
  for (const bad of ['', 'error off', 'http_418', 'sometimes']) assert.equal(typeof parseNextUpstream(bad, false), 'string', bad);
});

test('proxy annotations: values ingress-nginx accepts, including its e2e extremes', () => {
  const { ann, diags } = parseWith({
    'proxy-body-size': '8m',
    'proxy-connect-timeout': '50',
    'proxy-send-timeout': '20',
    'proxy-read-timeout': '20',
    'proxy-next-upstream': 'error timeout http_502',
    'proxy-next-upstream-timeout': '999999',
    'proxy-next-upstream-tries': '888888',
    'proxy-buffering': 'on',
    'proxy-buffer-size': '8k',
    'proxy-request-buffering': 'off',
    'proxy-http-version': '1.0',
    'client-body-buffer-size': '1m',
  });
  assert.deepEqual(invalidKeys(diags), []);
  const p = ann.policy.proxy;
  assert.equal(p.bodySizeLimit, 8 * 1024 * 1024);
  assert.equal(p.connectTimeoutMs, 50_000);
  assert.equal(p.tries, 888888);
  assert.equal(p.nextUpstreamTimeoutMs, 999_999_000);
  assert.equal(p.buffering, true);
  assert.equal(p.bufferSize, 8192);
  assert.equal(p.requestBuffering, false);
  assert.equal(p.httpVersion, '1.0');
  assert.equal(p.clientBodyBufferSize, 1024 * 1024);
});

test('invalid proxy values deny the Ingress, naming the key', () => {
  const cases: [Record<string, string>, string][] = [
    [{ 'proxy-body-size': '15r' }, 'proxy-body-size'],
    [{ 'proxy-connect-timeout': '50k' }, 'proxy-connect-timeout'],
    [{ 'proxy-read-timeout': '5s' }, 'proxy-read-timeout'],
    [{ 'proxy-next-upstream': 'error sometimes' }, 'proxy-next-upstream'],
    [{ 'proxy-next-upstream-tries': '-1' }, 'proxy-next-upstream-tries'],
    [{ 'proxy-buffering': 'yes' }, 'proxy-buffering'],
    [{ 'proxy-request-buffering': 'true' }, 'proxy-request-buffering'],
    [{ 'proxy-http-version': '2' }, 'proxy-http-version'],
    [{ 'client-body-buffer-size': 'lots' }, 'client-body-buffer-size'],
  ];
  for (const [anns, key] of cases) assert.deepEqual(invalidKeys(parseWith(anns).diags), [key], JSON.stringify(anns));
});
