// End to end: TLS termination with real handshakes on loopback. SNI (several hosts, wildcard,
// no SNI and unknown SNI → default certificate), bad Secrets (missing, malformed, expired, key
// mismatch → default certificate plus an error for that Ingress), rotation during a long-lived
// connection, the HTTP → HTTPS redirect matrix, HSTS, ssl-protocols / ssl-ciphers, session
// resumption with tickets, and the certificate expiry metric. Certificates are generated here.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { startSluice, ManifestDir, type Sluice } from '../helpers/sluice.ts';
import { startBackend, type Backend } from '../helpers/backend.ts';
import { backendObjects, configMap, ingress, tlsSecret } from '../helpers/objects.ts';
import { request } from '../helpers/client.ts';
import { makeCa, makeCert, type Pem } from '../helpers/certs.ts';

const A = 'nginx.ingress.kubernetes.io/';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Handshake {
  subject: string;
  fingerprint: string;
  protocol: string;
  cipher: string;
  reused: boolean;
  session: Buffer | null;
}

function handshake(port: number, servername: string | null, o: tls.ConnectionOptions = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const opts: tls.ConnectionOptions = { host: '127.0.0.1', port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...o };
    if (servername !== null) opts.servername = servername;
    let session: Buffer | null = null;
    const s = tls.connect(opts, () => {
      const c = s.getPeerCertificate();
      const result = { subject: String(c.subject?.CN ?? ''), fingerprint: c.fingerprint256, protocol: s.getProtocol() ?? '', cipher: s.getCipher().name, reused: s.isSessionReused() };
      // TLS 1.3 tickets arrive after the handshake.
      setTimeout(() => {
        resolve({ ...result, session });
        s.destroy();
      }, 50);
    });
    s.on('session', (b: Buffer) => (session = b));
    s.on('error', reject);
  });
}

/** One HTTP/1.1 request over an existing TLS socket (keep-alive). */
function requestOver(sock: tls.TLSSocket, host: string, path: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString('latin1');
      if (/\r\n\r\n/.test(out)) {
        const m = /content-length: (\d+)/i.exec(out);
        const body = out.slice(out.indexOf('\r\n\r\n') + 4);
        if (!m || body.length >= Number(m[1])) {
          sock.off('data', onData);
          resolve(out);
        }
      }
    };
    sock.on('data', onData);
    sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  });
}

describe('TLS termination', () => {
  let dir: ManifestDir;
  let sluice: Sluice;
  let echo: Backend;
  let ca: Pem;
  let certA: Pem;
  let certB: Pem;
  let wild: Pem;
  let rotA: Pem;
  let rotB: Pem;
  let expired: Pem;
  let other: Pem;
  const cm: Record<string, string> = {};

  function objects(rot: Pem): object[] {
    return [
      ...backendObjects('t', 'echo', [echo.port]),
      tlsSecret('t', 'a', certA.cert, certA.key),
      tlsSecret('t', 'b', certB.cert, certB.key),
      tlsSecret('t', 'wild', wild.cert, wild.key),
      tlsSecret('t', 'rot', rot.cert, rot.key),
      tlsSecret('t', 'expired', expired.cert, expired.key),
      tlsSecret('t', 'mismatch', certA.cert, other.key),
      tlsSecret('t', 'malformed', 'not a certificate', 'not a key'),
      ingress('t', 'a', [{ host: 'a.test', paths: [{ service: 'echo' }] }], { tls: [{ hosts: ['a.test'], secretName: 'a' }] }),
      ingress('t', 'b', [{ host: 'b.test', paths: [{ service: 'echo' }] }], { tls: [{ hosts: ['b.test'], secretName: 'b' }] }),
      ingress('t', 'wild', [{ host: '*.wild.test', paths: [{ service: 'echo' }] }], { tls: [{ hosts: ['*.wild.test'], secretName: 'wild' }] }),
      ingress('t', 'rot', [{ host: 'rot.test', paths: [{ service: 'echo' }] }], { tls: [{ hosts: ['rot.test'], secretName: 'rot' }] }),
      ingress('t', 'bad-missing', [{ host: 'missing.test', paths: [{ service: 'echo' }] }], { tls: [{ hosts: ['missing.test'], secretName: 'nope' }] }),
      ingress('t', 'bad-malformed', [{ host: 'malformed.test', paths: [{ service: 'echo' }] }], { tls: [{ hosts: ['malformed.test'], secretName: 'malformed' }] }),
      ingress('t', 'bad-expired', [{ host: 'expired.test', paths: [{ service: 'echo' }] }], { tls: [{ hosts: ['expired.test'], secretName: 'expired' }] }),
      ingress('t', 'bad-mismatch', [{ host: 'mismatch.test', paths: [{ service: 'echo' }] }], { tls: [{ hosts: ['mismatch.test'], secretName: 'mismatch' }] }),
      // Redirect matrix.
      ingress('t', 'no-redirect', [{ host: 'noredirect.test', paths: [{ service: 'echo' }] }], { tls: [{ hosts: ['noredirect.test'], secretName: 'a' }], annotations: { [`${A}ssl-redirect`]: 'false' } }),
      ingress('t', 'forced', [{ host: 'forced.test', paths: [{ service: 'echo' }] }], { annotations: { [`${A}force-ssl-redirect`]: 'true' } }),
      ingress('t', 'slash', [{ host: 'slash.test', paths: [{ service: 'echo' }] }], { annotations: { [`${A}force-ssl-redirect`]: 'true', [`${A}preserve-trailing-slash`]: 'true' } }),
      configMap('sluice', 'cfg', cm),
    ];
  }

  before(async () => {
    ca = await makeCa();
    certA = await makeCert(['a.test', 'noredirect.test'], { ca });
    certB = await makeCert(['b.test'], { ca });
    wild = await makeCert(['*.wild.test'], { ca });
    rotA = await makeCert(['rot.test'], { ca });
    rotB = await makeCert(['rot.test'], { ca });
    expired = await makeCert(['expired.test'], { ca, notBefore: new Date(Date.now() - 10 * 86400_000), notAfter: new Date(Date.now() - 86400_000) });
    other = await makeCert(['other.test']);
    echo = await startBackend('echo');
    dir = new ManifestDir();
    dir.write('objects.yaml', objects(rotA));
    sluice = await startSluice({ manifests: [dir.path], args: ['--configmap', 'sluice/cfg'] });
  });

  after(async () => {
    await sluice?.stop();
    await echo?.close();
    dir?.cleanup();
  });

  async function rewrite(rot: Pem, config: Record<string, string> = {}): Promise<void> {
    for (const k of Object.keys(cm)) delete cm[k];
    Object.assign(cm, config);
    const from = sluice.logs.length;
    dir.write('objects.yaml', objects(rot));
    await sluice.waitForLog((r) => r.msg === 'route table published', 5000, from);
  }

  const fp = (p: Pem): string => new X509Certificate(p.cert).fingerprint256;

  test('SNI picks each host\'s certificate; a wildcard covers one label; no or unknown SNI gets the default', async () => {
    assert.equal((await handshake(sluice.httpsPort, 'a.test')).fingerprint, fp(certA));
    assert.equal((await handshake(sluice.httpsPort, 'b.test')).fingerprint, fp(certB));
    assert.equal((await handshake(sluice.httpsPort, 'x.wild.test')).fingerprint, fp(wild));
    const none = await handshake(sluice.httpsPort, null);
    assert.match(none.subject, /Fake Certificate/);
    const unknown = await handshake(sluice.httpsPort, 'unknown.test');
    assert.equal(unknown.fingerprint, none.fingerprint);
    // Two labels below the wildcard are not covered.
    assert.equal((await handshake(sluice.httpsPort, 'a.b.wild.test')).fingerprint, none.fingerprint);
    // The certificate verifies against the test CA for its name.
    await handshake(sluice.httpsPort, 'a.test', { rejectUnauthorized: true, ca: ca.cert });
  });

  test('a missing, malformed, expired or mismatched Secret leaves its host on the default certificate, with an error for that Ingress', async () => {
    const def = (await handshake(sluice.httpsPort, null)).fingerprint;
    for (const h of ['missing.test', 'malformed.test', 'expired.test', 'mismatch.test']) {
      assert.equal((await handshake(sluice.httpsPort, h)).fingerprint, def, h);
    }
    const errors = JSON.parse((await sluice.admin('/debug/errors')).body) as { diagnostics: { object: { name: string }; reason: string; message: string }[] };
    const byIngress = (n: string): { reason: string; message: string } | undefined => errors.diagnostics.find((d) => d.object.name === n);
    assert.equal(byIngress('bad-missing')?.reason, 'SecretNotFound');
    assert.equal(byIngress('bad-malformed')?.reason, 'SecretInvalid');
    assert.equal(byIngress('bad-expired')?.reason, 'CertificateExpired');
    assert.match(byIngress('bad-mismatch')?.message ?? '', /does not match/);
    // Nothing else is affected: the host still serves over HTTPS (default certificate), and a.test keeps its own.
    assert.equal((await handshake(sluice.httpsPort, 'a.test')).fingerprint, fp(certA));
  });

  test('rotation: an established connection keeps working; new handshakes see the new certificate', async () => {
    const sock = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: sluice.httpsPort, servername: 'rot.test', ca: ca.cert }, () => resolve(s));
      s.on('error', reject);
    });
    assert.equal(sock.getPeerCertificate().fingerprint256, fp(rotA));
    assert.match(await requestOver(sock, 'rot.test', '/before'), /^HTTP\/1\.1 200/);
    await rewrite(rotB);
    let seen = '';
    for (let i = 0; i < 20 && seen !== fp(rotB); i++) {
      seen = (await handshake(sluice.httpsPort, 'rot.test')).fingerprint;
      if (seen !== fp(rotB)) await sleep(50);
    }
    assert.equal(seen, fp(rotB));
    assert.match(await requestOver(sock, 'rot.test', '/after'), /^HTTP\/1\.1 200/);
    assert.equal(sock.getPeerCertificate().fingerprint256, fp(rotA));
    sock.destroy();
  });

  test('redirect matrix: TLS host 308, ssl-redirect false, force-ssl-redirect without TLS, ACME path, trailing slash', async () => {
    const r1 = await request(sluice.httpPort, '/path/?q=1', { host: 'a.test' });
    assert.equal(r1.status, 308);
    // The query is kept; the slash is only stripped at the very end of the URI (as ingress-nginx's Lua does).
    assert.equal(r1.headers.location, 'https://a.test/path/?q=1');
    const r1b = await request(sluice.httpPort, '/dir/', { host: 'a.test' });
    assert.equal(r1b.headers.location, 'https://a.test/dir');
    assert.equal((await request(sluice.httpPort, '/', { host: 'noredirect.test' })).status, 200);
    const forced = await request(sluice.httpPort, '/f', { host: 'forced.test:8080' });
    assert.equal(forced.status, 308);
    assert.equal(forced.headers.location, 'https://forced.test/f');
    assert.equal((await request(sluice.httpPort, '/.well-known/acme-challenge/token', { host: 'a.test' })).status, 200);
    const kept = await request(sluice.httpPort, '/dir/', { host: 'slash.test' });
    assert.equal(kept.headers.location, 'https://slash.test/dir/');
    // Behind a TLS-terminating load balancer, X-Forwarded-Proto is ignored unless use-forwarded-headers.
    assert.equal((await request(sluice.httpPort, '/', { host: 'forced.test', headers: { 'x-forwarded-proto': 'https' } })).status, 308);
  });

  test('redirect matrix: use-forwarded-headers with X-Forwarded-Proto https; http-redirect-code from the ConfigMap', async () => {
    await rewrite(rotB, { 'use-forwarded-headers': 'true', 'http-redirect-code': '301' });
    assert.equal((await request(sluice.httpPort, '/', { host: 'forced.test', headers: { 'x-forwarded-proto': 'https' } })).status, 200);
    const r = await request(sluice.httpPort, '/x', { host: 'forced.test' });
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, 'https://forced.test/x');
    await rewrite(rotB);
  });

  test('HSTS: on by default for hosts with their own certificate, shaped by hsts-* keys, never on HTTP or the default certificate', async () => {
    const get = (host: string, servername = host): Promise<string> =>
      new Promise((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: sluice.httpsPort, servername, rejectUnauthorized: false }, async () => {
          resolve(await requestOver(s, host, '/'));
          s.destroy();
        });
        s.on('error', reject);
      });
    assert.match(await get('a.test'), /strict-transport-security: max-age=31536000; includeSubDomains\r\n/i);
    assert.doesNotMatch(await get('missing.test'), /strict-transport-security/i);
    assert.doesNotMatch((await request(sluice.httpPort, '/', { host: 'noredirect.test' })).headers['strict-transport-security'] ?? '', /max-age/);
    await rewrite(rotB, { 'hsts-max-age': '600', 'hsts-include-subdomains': 'false', 'hsts-preload': 'true' });
    assert.match(await get('a.test'), /strict-transport-security: max-age=600; preload\r\n/i);
    await rewrite(rotB, { hsts: 'false' });
    assert.doesNotMatch(await get('a.test'), /strict-transport-security/i);
    await rewrite(rotB);
  });

  test('ssl-protocols / ssl-ciphers: TLS 1.3 only refuses a TLS 1.2 client; a TLS 1.2 cipher list is honoured', async () => {
    const tls12 = await handshake(sluice.httpsPort, 'a.test', { maxVersion: 'TLSv1.2' });
    assert.equal(tls12.protocol, 'TLSv1.2');
    await rewrite(rotB, { 'ssl-protocols': 'TLSv1.3' });
    await assert.rejects(handshake(sluice.httpsPort, 'a.test', { maxVersion: 'TLSv1.2' }));
    assert.equal((await handshake(sluice.httpsPort, 'a.test')).protocol, 'TLSv1.3');
    await rewrite(rotB, { 'ssl-protocols': 'TLSv1.2', 'ssl-ciphers': 'ECDHE-ECDSA-AES256-GCM-SHA384' });
    const h = await handshake(sluice.httpsPort, 'a.test');
    assert.equal(h.protocol, 'TLSv1.2');
    assert.equal(h.cipher, 'ECDHE-ECDSA-AES256-GCM-SHA384');
    await rewrite(rotB);
  });

  test('session resumption with tickets (TLS 1.2 and 1.3); ssl-session-tickets "false" turns it off', async () => {
    for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
      const first = await handshake(sluice.httpsPort, 'a.test', { maxVersion: v, minVersion: v });
      assert.ok(first.session, `${v}: a ticket was issued`);
      const second = await handshake(sluice.httpsPort, 'a.test', { maxVersion: v, minVersion: v, session: first.session! });
      assert.equal(second.reused, true, `${v}: resumed`);
    }
    await rewrite(rotB, { 'ssl-session-tickets': 'false' });
    for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
      const first = await handshake(sluice.httpsPort, 'a.test', { maxVersion: v, minVersion: v });
      const second = await handshake(sluice.httpsPort, 'a.test', { maxVersion: v, minVersion: v, ...(first.session ? { session: first.session } : {}) });
      assert.equal(second.reused, false, `${v}: no resumption with ssl-session-tickets "false"`);
    }
    await rewrite(rotB);
  });

  test('nginx_ingress_controller_ssl_expire_time_seconds per host, Secret and namespace', async () => {
    const m = (await sluice.admin('/metrics')).body;
    const line = (host: string): string | undefined => m.split('\n').find((l) => l.startsWith('nginx_ingress_controller_ssl_expire_time_seconds{') && l.includes(`host="${host}"`));
    const a = line('a.test');
    assert.ok(a, 'a.test has an expiry');
    assert.match(a!, /secret_name="a"/);
    assert.match(a!, /namespace="t"/);
    assert.equal(Number(a!.split(' ').pop()), Math.floor(new X509Certificate(certA.cert).validToDate.getTime() / 1000));
    assert.ok(line('*.wild.test'));
    assert.equal(line('expired.test'), undefined, 'unusable certificates are not reported');
  });
});
