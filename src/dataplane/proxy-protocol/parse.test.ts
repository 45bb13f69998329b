import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProxyHeader, V1_MAX } from './parse.ts';

const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

export function v2(cmd: number, fam: number, addr: number[], tlvs: number[] = []): Buffer {
  const body = [...addr, ...tlvs];
  return Buffer.from([...SIG, 0x20 | cmd, fam, body.length >> 8, body.length & 255, ...body]);
}

const INET = [192, 168, 0, 1, 10, 0, 0, 2, 0xdb, 0xfc, 0x01, 0xbb]; // 56316 → 443
const INET6 = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1, ...Array(15).fill(0), 2, 0x04, 0xd2, 0x00, 0x50];

test('v1: TCP4, TCP6, UNKNOWN, with trailing request bytes', () => {
  const h = 'PROXY TCP4 192.168.0.1 192.168.0.11 56324 1234\r\n';
  const r = parseProxyHeader(Buffer.from(h + 'GET / HTTP/1.1\r\n'));
  assert.deepEqual(r, { status: 'ok', length: h.length, info: { version: 1, srcAddr: '192.168.0.1', srcPort: 56324, dstAddr: '192.168.0.11', dstPort: 1234 } });
  const r6 = parseProxyHeader(Buffer.from('PROXY TCP6 2001:DB8::1 ::ffff:10.0.0.1 1 65535\r\n'));
  assert.deepEqual(r6, { status: 'ok', length: 48, info: { version: 1, srcAddr: '2001:db8::1', srcPort: 1, dstAddr: '10.0.0.1', dstPort: 65535 } });
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { status: 'ok', length: 15, info: null });
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n')).status, 'ok');
});

test('v1: malformed headers are invalid', () => {
  const bad = [
    'PROXY TCP4 192.168.0.1 192.168.0.11 56324\r\n',
    'PROXY TCP4 192.168.0.1  192.168.0.11 56324 1234\r\n',
    'PROXY TCP4 192.168.0.1 192.168.0.11 56324 1234\n',
    'PROXY TCP4 192.168.0.1 192.168.0.11 65536 1234\r\n',
    'PROXY TCP4 192.168.0.1 192.168.0.11 0123 1234\r\n',
    'PROXY TCP4 ::1 192.168.0.11 1 2\r\n',
    'PROXY TCP6 192.168.0.1 ::1 1 2\r\n',
    'PROXY TCP5 1.1.1.1 1.1.1.1 1 2\r\n',
    'PROXY tcp4 1.1.1.1 1.1.1.1 1 2\r\n',
    'PROXY TCP4 1.1.1.1 1.1.1.1 1 2 3\r\n',
    'PROXY TCP4 1.1.1.1 1.1.1.1 1 2\x00\r\n',
    'PROXYTCP4 1.1.1.1 1.1.1.1 1 2\r\n',
    'GET / HTTP/1.1\r\n\r\n',
    '\x16\x03\x01\x02\x00',
    'PROXY UNKNOWN' + ' '.repeat(V1_MAX) + '\r\n',
  ];
  for (const b of bad) assert.equal(parseProxyHeader(Buffer.from(b, 'latin1')).status, 'invalid', JSON.stringify(b));
});

test('v2: PROXY over INET and INET6, LOCAL, UNSPEC and UNIX, TLVs', () => {
  assert.deepEqual(parseProxyHeader(Buffer.concat([v2(1, 0x11, INET), Buffer.from('GET')])), {
    status: 'ok',
    length: 28,
    info: { version: 2, srcAddr: '192.168.0.1', srcPort: 56316, dstAddr: '10.0.0.2', dstPort: 443 },
  });
  assert.deepEqual(parseProxyHeader(v2(1, 0x21, INET6)), {
    status: 'ok',
    length: 52,
    info: { version: 2, srcAddr: '2001:db8::1', srcPort: 1234, dstAddr: '::2', dstPort: 80 },
  });
  // AWS-style TLV (type 0xEA) and a NOOP padding TLV.
  const tlvs = [0xea, 0x00, 0x04, 1, 2, 3, 4, 0x04, 0x00, 0x00];
  assert.equal(parseProxyHeader(v2(1, 0x11, INET, tlvs)).status, 'ok');
  assert.deepEqual(parseProxyHeader(v2(0, 0x00, [])), { status: 'ok', length: 16, info: null });
  assert.deepEqual(parseProxyHeader(v2(0, 0x11, INET)), { status: 'ok', length: 28, info: null }, 'LOCAL ignores the address block');
  assert.deepEqual(parseProxyHeader(v2(1, 0x00, [])), { status: 'ok', length: 16, info: null });
  assert.deepEqual(parseProxyHeader(v2(1, 0x31, Array(216).fill(0))), { status: 'ok', length: 232, info: null });
});

test('v2: malformed headers are invalid', () => {
  const bad: Buffer[] = [
    Buffer.from([...SIG.slice(0, 11), 0x0b, 0x21, 0x11, 0, 12, ...INET]),
    Buffer.from([...SIG, 0x11, 0x11, 0, 12, ...INET]), // version 1 in a v2 block
    Buffer.from([...SIG, 0x22, 0x11, 0, 12, ...INET]), // command 2
    v2(1, 0x41, INET), // family 4
    v2(1, 0x13, INET), // transport 3
    v2(1, 0x11, INET.slice(0, 11)), // short INET block
    v2(1, 0x21, INET), // INET6 needs 36 bytes
    v2(1, 0x11, INET, [0xea, 0x00, 0x05, 1, 2]), // TLV overruns
    v2(1, 0x11, INET, [0xea]), // dangling TLV bytes
  ];
  for (const b of bad) assert.equal(parseProxyHeader(b).status, 'invalid', b.toString('hex'));
  assert.equal(parseProxyHeader(v2(1, 0x11, INET, [0xea, 0x10, 0x00, ...Array(4096).fill(0)])).status, 'invalid', 'over the size limit');
});

test('every truncation of a valid header is "more"; never throws on garbage', () => {
  const headers = [
    Buffer.from('PROXY TCP4 192.168.0.1 192.168.0.11 56324 1234\r\n'),
    Buffer.from('PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n'),
    v2(1, 0x11, INET, [0xea, 0x00, 0x01, 9]),
    v2(1, 0x21, INET6),
  ];
  for (const h of headers) {
    for (let n = 0; n < h.length; n++) assert.equal(parseProxyHeader(h.subarray(0, n)).status, 'more', `${h.toString('hex')} cut at ${n}`);
    assert.equal(parseProxyHeader(h).status, 'ok');
  }
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  for (let i = 0; i < 20000; i++) {
    const base = headers[rnd(headers.length)]!;
    const b = Buffer.from(base.subarray(0, rnd(base.length + 8)));
    // Flip a few bytes, sometimes none.
    for (let k = rnd(4); k > 0 && b.length > 0; k--) b[rnd(b.length)] = rnd(256);
    const r = parseProxyHeader(b);
    assert.ok(r.status === 'more' || r.status === 'invalid' || r.status === 'ok');
    if (r.status === 'ok') assert.ok(r.length <= b.length);
  }
  for (let i = 0; i < 5000; i++) {
    const b = Buffer.alloc(rnd(200));
    for (let k = 0; k < b.length; k++) b[k] = rnd(256);
    parseProxyHeader(b);
  }
});
