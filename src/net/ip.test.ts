import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CidrSet, parseCidr, parseCidrList } from './cidr.ts';
import { canonicalIp, parseIp } from './ip.ts';

test('IPv4 parsing: strict by default, lenient leading zeros on request', () => {
  assert.equal(canonicalIp('10.1.2.3'), '10.1.2.3');
  assert.equal(canonicalIp('0.0.0.0'), '0.0.0.0');
  assert.equal(canonicalIp('255.255.255.255'), '255.255.255.255');
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.-4', '01.2.3.4', '1.2.3.4/8', 'a.b.c.d', '1234.1.1.1']) {
    assert.equal(canonicalIp(bad), null, bad);
  }
  assert.equal(canonicalIp('010.001.002.003', true), '10.1.2.3');
});

test('IPv6 parsing and canonical text (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['::1', '::1'],
    ['::', '::'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fe80::', 'fe80::'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ];
  for (const [input, out] of cases) assert.equal(canonicalIp(input), out, input);
  for (const bad of [':', ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7', '::1%eth0', '[::1]', '1:', ':1', '::ffff:1.2.3']) {
    assert.equal(canonicalIp(bad), null, bad);
  }
});

test('CIDR parsing: Go semantics (host bits masked, single addresses)', () => {
  assert.deepEqual(parseCidrList('10.0.0.1/8, 192.168.1.7, 2001:db8::1/32, ::1'), { ok: true, cidrs: ['10.0.0.0/8', '192.168.1.7/32', '2001:db8::/32', '::1/128'] });
  assert.deepEqual(parseCidrList('10.0.0.0/8,,1.2.3.4'), { ok: false, bad: '' });
  assert.deepEqual(parseCidrList('10.0.0.0/33'), { ok: false, bad: '10.0.0.0/33' });
  assert.deepEqual(parseCidrList('::/129'), { ok: false, bad: '::/129' });
  assert.deepEqual(parseCidrList('1.2.3.4/08'), { ok: false, bad: '1.2.3.4/08' });
  assert.deepEqual(parseCidrList('1.2.3.4/'), { ok: false, bad: '1.2.3.4/' });
  assert.deepEqual(parseCidrList('::ffff:10.0.0.0/104'), { ok: true, cidrs: ['10.0.0.0/8'] });
  assert.equal(parseCidr('0.0.0.0/0')!.bits, 0);
});

test('CidrSet membership: IPv4, IPv6, mapped, merged and adjacent ranges, /0', () => {
  const s = new CidrSet(['10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/24', '192.168.1.0/24', '1.2.3.4', '2001:db8::/32', '::1']);
  const has = (ip: string): boolean => s.has(parseIp(ip)!);
  assert.ok(has('10.0.0.0'));
  assert.ok(has('10.255.255.255'));
  assert.ok(!has('11.0.0.0'));
  assert.ok(!has('9.255.255.255'));
  assert.ok(has('192.168.0.200'));
  assert.ok(has('192.168.1.1'));
  assert.ok(!has('192.168.2.0'));
  assert.ok(has('1.2.3.4'));
  assert.ok(!has('1.2.3.5'));
  assert.ok(has('::ffff:10.9.9.9'));
  assert.ok(has('2001:db8:ffff::1'));
  assert.ok(!has('2001:db9::'));
  assert.ok(has('::1'));
  assert.ok(!has('::2'));
  assert.ok(!has('::'));
  const all4 = new CidrSet(['0.0.0.0/0']);
  assert.ok(all4.has(parseIp('255.255.255.255')!));
  assert.ok(all4.has(parseIp('0.0.0.0')!));
  assert.ok(!all4.has(parseIp('::1')!), '0.0.0.0/0 covers IPv4 only, as in nginx');
  const all6 = new CidrSet(['::/0']);
  assert.ok(all6.has(parseIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')!));
  assert.ok(!all6.has(parseIp('1.2.3.4')!));
  assert.equal(new CidrSet([]).has(parseIp('1.2.3.4')!), false);
});

test('CidrSet agrees with a brute-force mask check on random data', () => {
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  const nets: { net: number; bits: number }[] = [];
  for (let i = 0; i < 200; i++) nets.push({ net: rnd(), bits: 8 + (rnd() % 25) });
  const set = new CidrSet(nets.map((n) => `${n.net >>> 24}.${(n.net >>> 16) & 255}.${(n.net >>> 8) & 255}.${n.net & 255}/${n.bits}`));
  for (let i = 0; i < 5000; i++) {
    const ip = i % 2 === 0 ? rnd() : nets[i % nets.length]!.net ^ (rnd() & 0xff);
    const expect = nets.some((n) => ((ip ^ n.net) >>> (32 - n.bits)) === 0);
    const a = parseIp(`${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`)!;
    assert.equal(set.has(a), expect);
  }
});
