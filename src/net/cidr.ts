// CIDR lists (allow/deny lists, trusted proxies) parsed once and compiled into sorted, merged
// address ranges: a lookup is a binary search with integer comparisons, whatever the list size.

import { IpAddress, parseIp } from './ip.ts';

export interface Cidr {
  addr: IpAddress;
  /** Prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  bits: number;
}

/**
 * Parses "a.b.c.d/n", "x::y/n" or a single address (a /32 or /128), as Go's net.ParseCIDR and
 * net.ParseIP accept them: host bits may be set (they are masked off), IPv4 octets may not have
 * leading zeros. An IPv4-mapped IPv6 network of /96 or longer becomes the IPv4 network it covers.
 * Returns null when invalid.
 */
export function parseCidr(text: string): Cidr | null {
  const s = text.trim();
  const slash = s.indexOf('/');
  if (slash < 0) {
    const addr = parseIp(s);
    return addr === null ? null : { addr, bits: addr.v6 ? 128 : 32 };
  }
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || (lenText.length > 1 && lenText[0] === '0')) return null;
  let bits = Number(lenText);
  const head = s.slice(0, slash);
  const addr = parseIp(head);
  if (addr === null) return null;
  const mapped = !addr.v6 && head.includes(':');
  if (mapped) {
    // ::ffff:a.b.c.d/n: only meaningful as IPv4 when the prefix covers the ::ffff:0:0/96 part.
    if (bits > 128) return null;
    if (bits < 96) return null;
    bits -= 96;
  }
  if (bits > (addr.v6 ? 128 : 32)) return null;
  mask(addr, bits);
  return { addr, bits };
}

function maskWord(w: number, bitsInWord: number): number {
  if (bitsInWord >= 32) return w >>> 0;
  if (bitsInWord <= 0) return 0;
  return (w & (0xffffffff << (32 - bitsInWord))) >>> 0;
}

function mask(a: IpAddress, bits: number): void {
  if (!a.v6) {
    a.w3 = maskWord(a.w3, bits);
    return;
  }
  a.w0 = maskWord(a.w0, bits);
  a.w1 = maskWord(a.w1, bits - 32);
  a.w2 = maskWord(a.w2, bits - 64);
  a.w3 = maskWord(a.w3, bits - 96);
}

/** Canonical text of a CIDR: "10.0.0.0/8", "2001:db8::/32", single addresses with /32 or /128. */
export function formatCidr(c: Cidr): string {
  return `${c.addr.toString()}/${c.bits}`;
}

/** Parses a comma-separated list; returns the canonical entries, or the first invalid entry. */
export function parseCidrList(value: string): { ok: true; cidrs: string[] } | { ok: false; bad: string } {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const c = parseCidr(part);
    if (c === null) return { ok: false, bad: part.trim() };
    out.push(formatCidr(c));
  }
  return { ok: true, cidrs: out };
}

/** A set of networks; `has` answers membership of one address. */
export class CidrSet {
  /** IPv4 ranges as [lo0, hi0, lo1, hi1, ...], sorted and merged. */
  readonly #v4: Float64Array;
  /** IPv6 ranges, 8 words per range (lo w0..w3, hi w0..w3), sorted and merged. */
  readonly #v6: Uint32Array;
  readonly size: number;

  constructor(cidrs: readonly (Cidr | string)[]) {
    const v4: [number, number][] = [];
    const v6: [bigint, bigint][] = [];
    for (const x of cidrs) {
      const c = typeof x === 'string' ? parseCidr(x) : x;
      if (c === null) throw new Error(`invalid CIDR ${JSON.stringify(x)}`);
      if (!c.addr.v6) {
        const lo = c.addr.w3;
        const span = c.bits === 0 ? 0x100000000 : 2 ** (32 - c.bits);
        v4.push([lo, lo + span - 1]);
      } else {
        const a = c.addr;
        const lo = (BigInt(a.w0) << 96n) | (BigInt(a.w1) << 64n) | (BigInt(a.w2) << 32n) | BigInt(a.w3);
        const hi = lo + (1n << BigInt(128 - c.bits)) - 1n;
        v6.push([lo, hi]);
      }
    }
    const m4 = mergeRanges(v4, (hi, lo) => hi + 1 === lo);
    this.#v4 = new Float64Array(m4.length * 2);
    m4.forEach(([lo, hi], i) => {
      this.#v4[2 * i] = lo;
      this.#v4[2 * i + 1] = hi;
    });
    const m6 = mergeRanges(v6, (hi, lo) => hi + 1n === lo);
    this.#v6 = new Uint32Array(m6.length * 8);
    m6.forEach(([lo, hi], i) => {
      for (let k = 0; k < 4; k++) {
        this.#v6[8 * i + k] = Number((lo >> BigInt(96 - 32 * k)) & 0xffffffffn);
        this.#v6[8 * i + 4 + k] = Number((hi >> BigInt(96 - 32 * k)) & 0xffffffffn);
      }
    });
    this.size = m4.length + m6.length;
  }

  has(a: IpAddress): boolean {
    if (!a.v6) {
      const r = this.#v4;
      const x = a.w3;
      let lo = 0;
      let hi = (r.length >> 1) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (x < r[2 * mid]!) hi = mid - 1;
        else if (x > r[2 * mid + 1]!) lo = mid + 1;
        else return true;
      }
      return false;
    }
    const r = this.#v6;
    let lo = 0;
    let hi = (r.length >> 3) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cmp6(a, r, 8 * mid) < 0) hi = mid - 1;
      else if (cmp6(a, r, 8 * mid + 4) > 0) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

function cmp6(a: IpAddress, r: Uint32Array, o: number): number {
  if (a.w0 !== r[o]) return a.w0 < r[o]! ? -1 : 1;
  if (a.w1 !== r[o + 1]) return a.w1 < r[o + 1]! ? -1 : 1;
  if (a.w2 !== r[o + 2]) return a.w2 < r[o + 2]! ? -1 : 1;
  if (a.w3 !== r[o + 3]) return a.w3 < r[o + 3]! ? -1 : 1;
  return 0;
}

/** Sorts ranges and merges overlapping or adjacent ones. */
function mergeRanges<T extends number | bigint>(ranges: [T, T][], adjacent: (hi: T, lo: T) => boolean): [T, T][] {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [T, T][] = [];
  for (const [lo, hi] of ranges) {
    const last = out[out.length - 1];
    if (last !== undefined && (lo <= last[1] || adjacent(last[1], lo))) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}
