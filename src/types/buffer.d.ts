// Buffer.prototype.latin1Slice exists at runtime (Node's fast path behind toString('latin1'))
// but is missing from @types/node. @types/node declares Buffer as a global interface with a type
// parameter, so the augmentation is global and repeats it: augmenting a parameterless Buffer in
// module 'buffer' made TypeScript 7 reject Buffers passed where a Uint8Array is expected
// (createHash().update(), timingSafeEqual(), ...), depending on the order files are checked.
declare global {
  interface Buffer<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> {
    latin1Slice(start?: number, end?: number): string;
  }
}
export {};
