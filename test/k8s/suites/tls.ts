// Cluster mode, TLS Secrets: a kubernetes.io/tls Secret created, rotated and deleted through the
// API reaches new TLS handshakes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBackend, type Backend } from '../../helpers/backend.ts';
import { ingress, service, slice, tlsSecret } from '../../helpers/objects.ts';
import type { Sluice } from '../../helpers/sluice.ts';
import { startClusterSluice, type ClusterUnderTest } from '../harness.ts';
import { eventually, selfSignedCert, servedFingerprint } from '../util.ts';

export function defineTlsSuite(make: () => Promise<ClusterUnderTest>): void {
  describe('cluster mode: TLS Secrets', () => {
    let c: ClusterUnderTest;
    let s: Sluice;
    let a: Backend;
    let ns: string;
    let defaultFp: string;

    before(async () => {
      c = await make();
      ns = c.namespace;
      a = await startBackend('a');
      for (const o of [
        service(ns, 'app', [{ name: 'http', port: 80, targetPort: 'http' }]),
        slice(ns, 'app', 'http', a.port, ['127.0.0.1']),
        ingress(ns, 'secure', [{ host: 'secure.test', paths: [{ path: '/', service: 'app' }] }], { className: c.ingressClass, tls: [{ hosts: ['secure.test'], secretName: 'secure-tls' }] }),
      ]) await c.apply(o);
      s = await startClusterSluice(c);
      defaultFp = await servedFingerprint(s.httpsPort, 'secure.test');
    });

    after(async () => {
      await s?.stop();
      await a?.close();
      await c?.close();
    });

    test('a TLS Secret created after the Ingress is served; rotation reaches new handshakes within about a second; deletion falls back', async () => {
      const first = await selfSignedCert('secure.test');
      await c.apply(tlsSecret(ns, 'secure-tls', first.cert, first.key));
      await eventually(() => servedFingerprint(s.httpsPort, 'secure.test'), (fp) => fp === first.fingerprint, 'the first certificate');

      const second = await selfSignedCert('secure.test', 'rotated');
      await c.apply(tlsSecret(ns, 'secure-tls', second.cert, second.key));
      const t0 = Date.now();
      // Bounded wait (no timing assertion): the time is reported.
      await eventually(() => servedFingerprint(s.httpsPort, 'secure.test'), (fp) => fp === second.fingerprint, 'the rotated certificate', 5000);
      process.stderr.write(`# rotated certificate served by a new handshake after ${Date.now() - t0} ms\n`);

      await c.remove('v1', 'Secret', 'secure-tls', ns);
      await eventually(() => servedFingerprint(s.httpsPort, 'secure.test'), (fp) => fp === defaultFp, 'the default certificate again');
    });

    test('Secrets of other types are not watched (only kubernetes.io/tls, and those annotations name)', async (t) => {
      if (!c.fake) return t.skip('reads the fake API server request log');
      const secretWatches = c.fake.requests.filter((r) => r.verb === 'watch' && r.resource === 'secrets');
      assert.ok(secretWatches.length > 0);
      for (const w of secretWatches) assert.ok(w.query.fieldSelector === 'type=kubernetes.io/tls' || /^metadata\.name=/.test(w.query.fieldSelector ?? ''), JSON.stringify(w.query));
    });
  });
}
