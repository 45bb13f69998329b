// PROXY protocol header parser (HAProxy's proxy-protocol.txt, versions 1 and 2), for listeners
// behind an L4 load balancer (ConfigMap use-proxy-protocol). Pure and bounded: it looks only at
// the bytes given, never throws, and says whether the header is complete, incomplete or invalid.
//
// Strictness: v1 lines are at most 107 bytes, single spaces, TCP4 with dotted-quad addresses,
// TCP6 with IPv6 addresses, ports 0..65535 without leading zeros. v2 needs version 2, command
// LOCAL or PROXY, a known family and transport, an address block as long as the family needs and
// TLVs that exactly fill the rest. LOCAL, UNKNOWN, UNSPEC and AF_UNIX headers are valid but carry
// no usable client address: the connection's own endpoints apply (info null).

import { parseIp, parseIpv4 } from '../../net/ip.ts';

export interface ProxyInfo {
  version: 1 | 2;
  /** Client address as canonical text (an IPv4-mapped IPv6 source becomes IPv4). */
  srcAddr: string;
  srcPort: number;
  /** Address and port the client connected to (at the load balancer). */
  dstAddr: string;
  dstPort: number;
}

export type ProxyParse =
  | { status: 'more' }
  | { status: 'invalid'; reason: string }
  | { status: 'ok'; length: number; info: ProxyInfo | null };

/** v1: "PROXY UNKNOWN" plus 2 × 39-char IPv6 + 2 × 5-digit ports, spaces and CRLF. */
export const V1_MAX = 107;
/** v2 headers larger than this (16-byte preamble + addresses + TLVs) are refused. */
export const V2_DEFAULT_MAX = 4096;

const SIG = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');

const MORE: ProxyParse = Object.freeze({ status: 'more' });

function invalid(reason: string): ProxyParse {
  return { status: 'invalid', reason };
}

export function parseProxyHeader(buf: Uint8Array, v2Max = V2_DEFAULT_MAX): ProxyParse {
  if (buf.length === 0) return MORE;
  if (buf[0] === 0x50 /* P */) return parseV1(buf);
  if (buf[0] === 0x0d) return parseV2(buf, v2Max);
  return invalid('connection does not start with a PROXY protocol header');
}

function isPrefixOf(buf: Uint8Array, sig: Uint8Array): boolean {
  const n = Math.min(buf.length, sig.length);
  for (let i = 0; i < n; i++) if (buf[i] !== sig[i]) return false;
  return true;
}

function parseV1(buf: Uint8Array): ProxyParse {
  if (!isPrefixOf(buf, V1_PREFIX)) return invalid('malformed PROXY v1 header');
  let lf = -1;
  const limit = Math.min(buf.length, V1_MAX);
  for (let i = V1_PREFIX.length; i < limit; i++) {
    if (buf[i] === 0x0a) {
      lf = i;
      break;
    }
  }
  if (lf < 0) return buf.length >= V1_MAX ? invalid('PROXY v1 header longer than 107 bytes') : MORE;
  if (buf[lf - 1] !== 0x0d) return invalid('PROXY v1 header not terminated by CRLF');
  // Header bytes must be printable ASCII.
  for (let i = 0; i < lf - 1; i++) if (buf[i]! < 0x20 || buf[i]! > 0x7e) return invalid('PROXY v1 header with a non-printable byte');
  const line = Buffer.from(buf.buffer, buf.byteOffset, lf - 1).toString('latin1');
  const length = lf + 1;
  const parts = line.split(' ');
  const proto = parts[1];
  if (proto === 'UNKNOWN') return { status: 'ok', length, info: null };
  if (proto !== 'TCP4' && proto !== 'TCP6') return invalid(`PROXY v1 header with unknown protocol ${JSON.stringify(proto ?? '')}`);
  if (parts.length !== 6) return invalid('PROXY v1 header needs exactly: PROXY TCP4|TCP6 <src> <dst> <srcport> <dstport>');
  const [, , src, dst, sp, dp] = parts as [string, string, string, string, string, string];
  const srcAddr = v1Address(src, proto);
  const dstAddr = v1Address(dst, proto);
  if (srcAddr === null || dstAddr === null) return invalid(`PROXY v1 header with an invalid ${proto} address`);
  const srcPort = v1Port(sp);
  const dstPort = v1Port(dp);
  if (srcPort < 0 || dstPort < 0) return invalid('PROXY v1 header with an invalid port');
  return { status: 'ok', length, info: { version: 1, srcAddr, srcPort, dstAddr, dstPort } };
}

function v1Address(s: string, proto: 'TCP4' | 'TCP6'): string | null {
  if (proto === 'TCP4') {
    const v = parseIpv4(s);
    return v < 0 ? null : `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  if (s.indexOf(':') < 0) return null;
  const a = parseIp(s);
  return a === null ? null : a.toString();
}

function v1Port(s: string): number {
  if (!/^(0|[1-9]\d{0,4})$/.test(s)) return -1;
  const n = Number(s);
  return n > 65535 ? -1 : n;
}

function parseV2(buf: Uint8Array, v2Max: number): ProxyParse {
  if (!isPrefixOf(buf, SIG)) return invalid('malformed PROXY v2 signature');
  if (buf.length < 16) return MORE;
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return invalid(`PROXY v2 header with version ${verCmd >> 4}`);
  const cmd = verCmd & 0x0f;
  if (cmd !== 0 && cmd !== 1) return invalid(`PROXY v2 header with unknown command ${cmd}`);
  const famProto = buf[13]!;
  const family = famProto >> 4;
  const transport = famProto & 0x0f;
  const len = (buf[14]! << 8) | buf[15]!;
  const total = 16 + len;
  if (total > v2Max) return invalid(`PROXY v2 header of ${total} bytes exceeds the ${v2Max}-byte limit`);
  if (buf.length < total) return MORE;
  // LOCAL (health checks from the balancer itself): the block is discarded, family included.
  if (cmd === 0) return { status: 'ok', length: total, info: null };
  if (family > 3) return invalid(`PROXY v2 header with unknown address family ${family}`);
  if (transport > 2) return invalid(`PROXY v2 header with unknown transport ${transport}`);
  const need = family === 1 ? 12 : family === 2 ? 36 : family === 3 ? 216 : 0;
  if (len < need) return invalid(`PROXY v2 address block of ${len} bytes is too short for its family`);
  if (!tlvsFit(buf, 16 + need, total)) return invalid('PROXY v2 header with malformed TLVs');
  if (family === 0 || family === 3) return { status: 'ok', length: total, info: null };
  let info: ProxyInfo;
  if (family === 1) {
    info = {
      version: 2,
      srcAddr: `${buf[16]}.${buf[17]}.${buf[18]}.${buf[19]}`,
      dstAddr: `${buf[20]}.${buf[21]}.${buf[22]}.${buf[23]}`,
      srcPort: (buf[24]! << 8) | buf[25]!,
      dstPort: (buf[26]! << 8) | buf[27]!,
    };
  } else {
    info = {
      version: 2,
      srcAddr: v6Text(buf, 16),
      dstAddr: v6Text(buf, 32),
      srcPort: (buf[48]! << 8) | buf[49]!,
      dstPort: (buf[50]! << 8) | buf[51]!,
    };
  }
  return { status: 'ok', length: total, info };
}

function v6Text(buf: Uint8Array, o: number): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((buf[o + i]! << 8) | buf[o + i + 1]!).toString(16));
  return parseIp(g.join(':'))!.toString();
}

/** TLVs (type, 16-bit length, value) must exactly fill [start, end). */
function tlvsFit(buf: Uint8Array, start: number, end: number): boolean {
  let p = start;
  while (p < end) {
    if (end - p < 3) return false;
    const l = (buf[p + 1]! << 8) | buf[p + 2]!;
    p += 3 + l;
  }
  return p === end;
}
