// Reads the PROXY protocol header at the start of an accepted TCP connection, before anything
// else (HTTP, or the TLS handshake on the HTTPS listener), then hands the socket on, paused, with
// the bytes that followed the header put back. A connection without a valid header within the
// timeout is closed, as nginx's "listen ... proxy_protocol" does.

import type { Socket } from 'node:net';
import { parseProxyHeader, type ProxyInfo } from './parse.ts';

const info = new WeakMap<Socket, ProxyInfo | null>();

/**
 * The PROXY header of a connection (null: none, or LOCAL/UNKNOWN). For a TLS socket made from a
 * raw one, the raw socket (TLSSocket's `_parent`) carries it.
 */
export function proxyInfoOf(socket: Socket): ProxyInfo | null {
  const direct = info.get(socket);
  if (direct !== undefined) return direct;
  const parent = (socket as Socket & { _parent?: Socket })._parent;
  return parent ? (info.get(parent) ?? null) : null;
}

export function readProxyHeader(socket: Socket, timeoutMs: number, onReady: (socket: Socket, pp: ProxyInfo | null) => void, onInvalid: (reason: string) => void): void {
  let buf: Buffer | null = null;
  const cleanup = (): void => {
    socket.off('data', onData);
    socket.off('timeout', onTimeout);
    socket.off('close', cleanup);
    socket.setTimeout(0);
  };
  const onData = (chunk: Buffer): void => {
    buf = buf === null ? chunk : Buffer.concat([buf, chunk]);
    const r = parseProxyHeader(buf);
    if (r.status === 'more') return;
    cleanup();
    if (r.status === 'invalid') {
      onInvalid(r.reason);
      socket.destroy();
      return;
    }
    socket.pause();
    if (r.length < buf.length) socket.unshift(buf.subarray(r.length));
    info.set(socket, r.info);
    onReady(socket, r.info);
  };
  const onTimeout = (): void => {
    cleanup();
    onInvalid('no PROXY protocol header in time');
    socket.destroy();
  };
  socket.on('error', noop);
  socket.on('data', onData);
  socket.on('close', cleanup);
  socket.setTimeout(timeoutMs, onTimeout);
}

function noop(): void {}
