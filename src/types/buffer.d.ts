// Buffer.prototype.latin1Slice exists at runtime (Node's fast path behind toString('latin1'))
// but is missing from @types/node.
declare module 'buffer' {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
  }
}
export {};
