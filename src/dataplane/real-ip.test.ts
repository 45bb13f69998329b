import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGlobalConfig } from '../compile/config.ts';
import type { ConfigMap } from '../model/k8s.ts';
import { RequestHead, parseRequestHead } from './http1/request-head.ts';
import { RealIp, type ForwardedState } from './real-ip.ts';
import type { ProxyInfo } from './proxy-protocol/parse.ts';

function cfg(data: Record<string, string>) {
  const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data };
  return parseGlobalConfig(cm).config;
}

function run(data: Record<string, string>, headers: string, peer = '127.0.0.1', proxy: ProxyInfo | null = null): ForwardedState {
  const req = new RequestHead();
  assert.equal(parseRequestHead(`GET / HTTP/1.1\r\nHost: app.test\r\n${headers}`, req), 0);
  const st: ForwardedState = { peerIp: peer, proxy, scheme: 'http', req, clientIp: '', hopIp: '', forwardedProto: '', forwardedHost: '', forwardedPort: '' };
  RealIp.for(cfg(data), 443)!.apply(st);
  return st;
}

test('off unless one of the three settings is on', () => {
  assert.equal(RealIp.for(cfg({}), 443), null);
  assert.notEqual(RealIp.for(cfg({ 'enable-real-ip': 'true' }), 443), null);
});

test('X-Forwarded-For walk (real_ip_recursive on)', () => {
  const on = { 'use-forwarded-headers': 'true', 'proxy-real-ip-cidr': '127.0.0.0/8,10.0.0.0/8' };
  const ip = (xff: string, peer = '127.0.0.1'): string => run(on, `X-Forwarded-For: ${xff}\r\n`, peer).clientIp;
  assert.equal(ip('1.1.1.1'), '1.1.1.1');
  assert.equal(ip('1.1.1.1, 2.2.2.2'), '2.2.2.2');
  assert.equal(ip('1.1.1.1, 10.0.0.1, 10.0.0.2'), '1.1.1.1');
  assert.equal(ip('10.0.0.3,10.0.0.1'), '10.0.0.3');
  assert.equal(ip('1.1.1.1 ,  ,2.2.2.2 '), '2.2.2.2');
  assert.equal(ip('x, 10.0.0.1'), '10.0.0.1');
  assert.equal(ip('1.1.1.1', '8.8.8.8'), '8.8.8.8', 'untrusted peer');
  assert.equal(ip('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(ip('[2001:db8::1]:80'), '2001:db8::1');
  assert.equal(ip('2001:db8::1'), '2001:db8::1');
  assert.equal(ip('1.2.3.4:99999'), '127.0.0.1', 'bad port: not an address');
  assert.equal(ip('001.002.003.004'), '1.2.3.4', 'nginx reads leading zeros as decimal');
  assert.equal(run(on, 'X-Forwarded-For: 5.5.5.5\r\n', '::1').clientIp, '::1', '127.0.0.0/8 does not cover IPv6 peers');
});

test('forwarded scheme, host and port with use-forwarded-headers; PROXY protocol values', () => {
  const st = run({ 'use-forwarded-headers': 'true' }, 'X-Forwarded-Proto: https\r\nX-Forwarded-Host: a.test,b.test\r\nX-Forwarded-Port: 443\r\n');
  assert.deepEqual([st.forwardedProto, st.forwardedHost, st.forwardedPort], ['https', 'a.test', '443']);
  const real = run({ 'enable-real-ip': 'true' }, 'X-Forwarded-Proto: https\r\nX-Forwarded-For: 1.2.3.4\r\n');
  assert.deepEqual([real.clientIp, real.forwardedProto, real.forwardedHost], ['1.2.3.4', 'http', '']);
  const pp: ProxyInfo = { version: 1, srcAddr: '192.0.2.1', srcPort: 1000, dstAddr: '192.0.2.2', dstPort: 443 };
  const p = run({ 'use-proxy-protocol': 'true', 'use-forwarded-headers': 'true' }, 'X-Forwarded-For: 9.9.9.9\r\nX-Forwarded-Proto: http\r\n', '127.0.0.1', pp);
  assert.deepEqual([p.clientIp, p.hopIp, p.forwardedProto, p.forwardedPort], ['192.0.2.1', '192.0.2.1', 'https', '443']);
  const untrusted = run({ 'use-proxy-protocol': 'true', 'proxy-real-ip-cidr': '10.0.0.0/8' }, '', '127.0.0.1', pp);
  assert.equal(untrusted.clientIp, '127.0.0.1');
  assert.equal(untrusted.hopIp, '192.0.2.1');
});
