// End to end: backend-protocol HTTPS with the proxy-ssl-* subset — no verification by default,
// proxy-ssl-verify against proxy-ssl-secret's ca.crt and proxy-ssl-name, SNI with
// proxy-ssl-server-name, a client certificate from the Secret's tls.crt/tls.key, and the failure
// modes (wrong name or CA → 502, missing Secret → 503 with an error).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { backendObjects, ingress } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';
import { makeCa, makeCert, type Pem } from '../helpers/certs.ts';

const A = 'nginx.ingress.kubernetes.io/';

function caSecret(ns: string, name: string, ca: string, client?: Pem): object {
  const data: Record<string, string> = { 'ca.crt': Buffer.from(ca).toString('base64') };
  if (client) {
    data['tls.crt'] = Buffer.from(client.cert).toString('base64');
    data['tls.key'] = Buffer.from(client.key).toString('base64');
  }
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, data };
}

interface Seen {
  sni: string | false;
  clientCert: string;
}

describe('TLS to the pods (backend-protocol HTTPS, proxy-ssl-*)', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let pod: https.Server;
  let ca: Pem;
  let otherCa: Pem;
  const seen: Seen[] = [];

  before(async () => {
    ca = await makeCa('upstream CA');
    otherCa = await makeCa('some other CA');
    const podCert = await makeCert(['pod.internal'], { ca });
    const client = await makeCert(['sluice-client'], { ca });
    pod = https.createServer({ cert: podCert.cert, key: podCert.key, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const s = req.socket as TLSSocket;
      const peer = s.getPeerCertificate();
      seen.push({ sni: (s as TLSSocket & { servername: string | false }).servername, clientCert: peer && peer.subject ? String(peer.subject.CN) : '' });
      res.end('secure pod');
    });
    await new Promise<void>((r) => pod.listen(0, '127.0.0.1', r));
    const port = (pod.address() as AddressInfo).port;
    const https_ = { [`${A}backend-protocol`]: 'HTTPS' };
    dir = new ManifestDir();
    dir.write('o.yaml', [
      ...backendObjects('t', 'pod', [port]),
      caSecret('t', 'upstream', ca.cert, client),
      caSecret('t', 'wrong-ca', otherCa.cert),
      ingress('t', 'plain-tls', [{ host: 'plain.test', paths: [{ service: 'pod' }] }], { annotations: https_ }),
      ingress('t', 'verified', [{ host: 'verified.test', paths: [{ service: 'pod' }] }], {
        annotations: { ...https_, [`${A}proxy-ssl-secret`]: 't/upstream', [`${A}proxy-ssl-verify`]: 'on', [`${A}proxy-ssl-name`]: 'pod.internal', [`${A}proxy-ssl-server-name`]: 'on' },
      }),
      ingress('t', 'wrong-name', [{ host: 'wrongname.test', paths: [{ service: 'pod' }] }], {
        annotations: { ...https_, [`${A}proxy-ssl-secret`]: 'upstream', [`${A}proxy-ssl-verify`]: 'on', [`${A}proxy-ssl-name`]: 'other.internal' },
      }),
      ingress('t', 'wrong-ca', [{ host: 'wrongca.test', paths: [{ service: 'pod' }] }], {
        annotations: { ...https_, [`${A}proxy-ssl-secret`]: 'wrong-ca', [`${A}proxy-ssl-verify`]: 'on', [`${A}proxy-ssl-name`]: 'pod.internal' },
      }),
      ingress('t', 'missing', [{ host: 'missing.test', paths: [{ service: 'pod' }] }], { annotations: { ...https_, [`${A}proxy-ssl-secret`]: 'nope' } }),
      ingress('t', 'lonely', [{ host: 'lonely.test', paths: [{ service: 'pod' }] }], { annotations: { ...https_, [`${A}proxy-ssl-verify`]: 'on' } }),
    ]);
    sluice = await startSluice({ manifests: [dir.path] });
  });

  after(async () => {
    await sluice?.stop();
    pod?.close();
    dir?.cleanup();
  });

  test('HTTPS without proxy-ssl-secret: TLS to the pod, certificate not verified, no SNI to an IP', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'plain.test' });
    assert.equal(r.status, 200);
    assert.equal(r.text, 'secure pod');
    assert.equal(seen.at(-1)!.sni, false);
  });

  test('proxy-ssl-verify on: verified against ca.crt and proxy-ssl-name, SNI sent, client certificate presented', async () => {
    const r = await request(sluice.httpPort, '/', { host: 'verified.test' });
    assert.equal(r.status, 200);
    assert.deepEqual(seen.at(-1), { sni: 'pod.internal', clientCert: 'sluice-client' });
  });

  test('verification failures are 502: wrong name, CA that did not sign the pod', async () => {
    assert.equal((await request(sluice.httpPort, '/', { host: 'wrongname.test' })).status, 502);
    assert.equal((await request(sluice.httpPort, '/', { host: 'wrongca.test' })).status, 502);
  });

  test('a missing proxy-ssl-secret denies the Ingress (503) with an error; proxy-ssl-verify alone is ignored', async () => {
    assert.equal((await request(sluice.httpPort, '/', { host: 'missing.test' })).status, 503);
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; message: string }[] };
    assert.ok(errors.diagnostics.some((d) => d.object.name === 'missing' && d.reason === 'SecretNotFound'));
    assert.ok(errors.diagnostics.some((d) => d.object.name === 'lonely' && d.reason === 'IgnoredAnnotation' && /proxy-ssl-secret/.test(d.message)));
    assert.equal((await request(sluice.httpPort, '/', { host: 'lonely.test' })).status, 200);
  });

  test('the client key never appears in /debug/routes', async () => {
    const routes = (await sluice.admin('/debug/routes')).body;
    assert.match(routes, /"upstreamTls"/);
    assert.doesNotMatch(routes, /PRIVATE KEY/);
  });
});
