// IP addresses as four 32-bit words, parsed once and compared with integer operations (CIDR
// matching, real-IP trust checks). IPv4 lives in the last word with `v6` false; an IPv4-mapped
// IPv6 address (::ffff:a.b.c.d) is treated as the IPv4 address it carries, as nginx's access
// and realip modules do.

export class IpAddress {
  v6: boolean;
  w0: number;
  w1: number;
  w2: number;
  /** For IPv4, the whole address. */
  w3: number;

  constructor(v6 = false, w0 = 0, w1 = 0, w2 = 0, w3 = 0) {
    this.v6 = v6;
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
  }

  /** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed). */
  toString(): string {
    if (!this.v6) return v4Text(this.w3);
    return v6Text([this.w0 >>> 16, this.w0 & 0xffff, this.w1 >>> 16, this.w1 & 0xffff, this.w2 >>> 16, this.w2 & 0xffff, this.w3 >>> 16, this.w3 & 0xffff]);
  }
}

function v4Text(w: number): string {
  return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
}

function v6Text(g: number[]): string {
  // Longest run of two or more zero groups (the first one on ties) becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number, b: number): string => g.slice(a, b).map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(0, 8);
  return `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}

/**
 * Parses dotted-quad IPv4 into a 32-bit number, or -1. `lenient` accepts leading zeros (read as
 * decimal, like nginx's ngx_inet_addr); otherwise they are refused, as Go's net.ParseIP does.
 */
export function parseIpv4(s: string, start = 0, end = s.length, lenient = false): number {
  let value = 0;
  let parts = 0;
  let i = start;
  while (i <= end) {
    let n = 0;
    let digits = 0;
    const first = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      digits++;
      i++;
      if (digits > 3) return -1;
    }
    if (digits === 0 || n > 255) return -1;
    if (!lenient && digits > 1 && s.charCodeAt(first) === 48) return -1;
    value = value * 256 + n;
    parts++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 46 /* . */ || parts === 4) return -1;
    i++;
  }
  return parts === 4 ? value >>> 0 : -1;
}

const HEX = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/** Parses an IPv6 address (no zone, no brackets) into 8 groups; false when invalid. */
function parseIpv6Groups(s: string, start: number, end: number, out: number[], lenient: boolean): boolean {
  if (end - start < 2 || end - start > 45) return false;
  const head: number[] = [];
  const tail: number[] = [];
  let cur = head;
  let i = start;
  let compressed = false;
  if (s.charCodeAt(i) === 58 /* : */) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    compressed = true;
    cur = tail;
    i += 2;
    if (i === end) {
      for (let k = 0; k < 8; k++) out[k] = 0;
      return true;
    }
  }
  for (;;) {
    // One group, or a trailing embedded IPv4 address.
    let j = i;
    let n = 0;
    while (j < end && j - i < 5) {
      const h = HEX(s.charCodeAt(j));
      if (h < 0) break;
      n = n * 16 + h;
      j++;
    }
    if (j < end && s.charCodeAt(j) === 46 /* . */) {
      const v4 = parseIpv4(s, i, end, lenient);
      if (v4 < 0) return false;
      cur.push(v4 >>> 16, v4 & 0xffff);
      i = end;
      break;
    }
    if (j === i || j - i > 4) return false;
    cur.push(n);
    i = j;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (s.charCodeAt(i) === 58) {
      if (compressed) return false;
      compressed = true;
      cur = tail;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return false;
    }
  }
  const total = head.length + tail.length;
  if (compressed ? total > 7 : total !== 8) return false;
  let k = 0;
  for (const g of head) out[k++] = g;
  while (k < 8 - tail.length) out[k++] = 0;
  for (const g of tail) out[k++] = g;
  return true;
}

const groups: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/**
 * Parses an IPv4 or IPv6 address into `into` (reused) or a new IpAddress; null when invalid.
 * IPv4-mapped IPv6 becomes IPv4. `lenient`: accept IPv4 octets with leading zeros.
 */
export function parseIp(s: string, into: IpAddress | null = null, lenient = false, start = 0, end = s.length): IpAddress | null {
  if (s.indexOf(':', start) < 0 || s.indexOf(':', start) >= end) {
    const v4 = parseIpv4(s, start, end, lenient);
    if (v4 < 0) return null;
    const a = into ?? new IpAddress();
    a.v6 = false;
    a.w0 = a.w1 = a.w2 = 0;
    a.w3 = v4;
    return a;
  }
  if (!parseIpv6Groups(s, start, end, groups, lenient)) return null;
  const g = groups;
  const a = into ?? new IpAddress();
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    a.v6 = false;
    a.w0 = a.w1 = a.w2 = 0;
    a.w3 = ((g[6]! << 16) | g[7]!) >>> 0;
    return a;
  }
  a.v6 = true;
  a.w0 = ((g[0]! << 16) | g[1]!) >>> 0;
  a.w1 = ((g[2]! << 16) | g[3]!) >>> 0;
  a.w2 = ((g[4]! << 16) | g[5]!) >>> 0;
  a.w3 = ((g[6]! << 16) | g[7]!) >>> 0;
  return a;
}

/** Canonical text of an address string ("::ffff:1.2.3.4" → "1.2.3.4"), or null when invalid. */
export function canonicalIp(s: string, lenient = false): string | null {
  const a = parseIp(s, null, lenient);
  return a === null ? null : a.toString();
}
