// The consistent-hash ring of ingress-nginx's "balanced" cookie affinity (sticky_balanced.lua on
// lua-resty-balancer's resty.chash): 160 points per endpoint (times its weight), each point the
// CRC32 of the endpoint id ("ip:port") followed by the previous point as 4 little-endian bytes; a
// key belongs to the first point at or after CRC32(key), wrapping to the first. Built the same
// way from the same endpoint set, it maps a key to the same endpoint in every sluice process and
// in ingress-nginx, so cookies survive restarts, other replicas and a migration. Adding an
// endpoint moves only the keys that land on its new points.

import { crc32, crc32Update } from './crc32.ts';

const POINTS_PER_WEIGHT = 160;

export class HashRing {
  /** Point hashes, ascending. */
  readonly hashes: Uint32Array;
  /** Node index owning each point. */
  readonly owners: Int32Array;

  /** `ids[i]` is node i's id; `weights[i]` its weight (default 1). */
  constructor(ids: readonly string[], weights?: readonly number[]) {
    let total = 0;
    for (let i = 0; i < ids.length; i++) total += (weights?.[i] ?? 1) * POINTS_PER_WEIGHT;
    const hashes = new Uint32Array(total);
    const owners = new Int32Array(total);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const base = crc32Update(0xffffffff, ids[i]!);
      let prev = 0;
      for (let k = (weights?.[i] ?? 1) * POINTS_PER_WEIGHT; k > 0; k--) {
        const h = (~crc32UpdateLE32(base, prev)) >>> 0;
        hashes[at] = h;
        owners[at] = i;
        at++;
        prev = h;
      }
    }
    // Sort the points by hash (ties: lower node index first).
    const order = Array.from({ length: total }, (_, i) => i);
    order.sort((a, b) => hashes[a]! - hashes[b]! || owners[a]! - owners[b]!);
    this.hashes = new Uint32Array(total);
    this.owners = new Int32Array(total);
    for (let i = 0; i < total; i++) {
      this.hashes[i] = hashes[order[i]!]!;
      this.owners[i] = owners[order[i]!]!;
    }
  }

  /** Node index for a key (-1 when the ring is empty). */
  find(key: string): number {
    const n = this.hashes.length;
    if (n === 0) return -1;
    const h = crc32(key);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.hashes[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === n ? 0 : lo]!;
  }
}

/** Continues a CRC32 register over the 4 little-endian bytes of `v`. */
function crc32UpdateLE32(reg: number, v: number): number {
  return crc32Update(reg, String.fromCharCode(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff));
}
