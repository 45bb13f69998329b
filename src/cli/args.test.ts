import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, usage } from './args.ts';

test('defaults match the CLI contract', () => {
  const o = parseArgs([], {});
  assert.equal(o.httpPort, 80);
  assert.equal(o.httpsPort, 443);
  assert.equal(o.adminPort, 10254);
  assert.equal(o.bindAddress, '0.0.0.0');
  assert.equal(o.ingressClass, 'sluice');
  assert.equal(o.controllerClass, 'sluice.dev/ingress-controller');
  assert.equal(o.watchIngressWithoutClass, false);
  assert.equal(o.annotationsPrefix, 'nginx.ingress.kubernetes.io');
  assert.equal(o.controllerNamespace, 'default');
});

test('both --flag value and --flag=value; repeatable --manifests; boolean forms', () => {
  const o = parseArgs(['--manifests', 'a', '--manifests=b', '--http-port=8080', '--watch-ingress-without-class', '--update-status=false', '--publish-status-address', '1.2.3.4, lb.example.com', '--shutdown-grace-period', '5s'], {});
  assert.deepEqual(o.manifests, ['a', 'b']);
  assert.equal(o.httpPort, 8080);
  assert.equal(o.watchIngressWithoutClass, true);
  assert.equal(o.updateStatus, false);
  assert.deepEqual(o.publishStatusAddress, ['1.2.3.4', 'lb.example.com']);
  assert.equal(o.shutdownGracePeriod, 5);
});

test('errors name the flag', () => {
  for (const [argv, re] of [
    [['--nope'], /--nope: unknown flag/],
    [['--http-port'], /--http-port: needs a value/],
    [['--http-port', '--admin-port', '1'], /--http-port: needs a value/],
    [['--admin-port', '-1'], /--admin-port/],
    [['--default-backend-service', 'svc'], /--default-backend-service: "svc" is not NAMESPACE\/NAME/],
    [['positional'], /unexpected argument/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parseArgs(argv, {}), (e: unknown) => e instanceof UsageError && re.test(e.message));
  }
});

test('usage lists every flag', () => {
  assert.match(usage('1.2.3'), /--default-ssl-certificate/);
});
