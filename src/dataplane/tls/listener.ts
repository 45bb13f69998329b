// The HTTPS listener: TLS 1.2/1.3, SNI through the context store, ALPN (h2 when an HTTP/2
// handler is registered, http/1.1), session tickets whose key rotates every 12 hours. Decrypted
// HTTP/1.1 connections go to the same connection code as plain ones.

import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import type { ContextStore } from './contexts.ts';

export const TICKET_ROTATION_MS = 12 * 3600 * 1000;

export interface HttpsHandlers {
  http1(socket: tls.TLSSocket): void;
  /** Present when HTTP/2 is available and enabled. */
  h2: ((socket: tls.TLSSocket) => void) | null;
}

export class HttpsListener {
  readonly server: tls.Server;
  readonly #contexts: ContextStore;
  #rotation: NodeJS.Timeout | null = null;

  constructor(contexts: ContextStore, handlers: HttpsHandlers, ticketKeys: Buffer | null, onError: (msg: string) => void) {
    this.#contexts = contexts;
    const s = contexts.settings;
    this.server = tls.createServer(
      {
        cert: contexts.defaultPem.cert,
        key: contexts.defaultPem.key,
        minVersion: s.minVersion,
        maxVersion: s.maxVersion,
        ciphers: s.ciphers,
        honorCipherOrder: true,
        sessionTimeout: s.sessionTimeout,
        ALPNProtocols: handlers.h2 ? ['h2', 'http/1.1'] : ['http/1.1'],
        SNICallback: (servername, cb) => cb(null, this.#contexts.lookup(servername)),
        allowHalfOpen: true,
        noDelay: true,
      },
      (socket) => {
        if (socket.alpnProtocol === 'h2' && handlers.h2) handlers.h2(socket);
        else handlers.http1(socket);
      },
    );
    this.server.on('tlsClientError', (err: Error & { code?: string }, socket: tls.TLSSocket) => {
      // Handshake failures are the client's business (scanners, wrong protocol); keep them quiet.
      socket.destroy();
      void err;
    });
    this.server.on('error', (err) => onError(`HTTPS listener error: ${err.message}`));
    this.setTicketKeys(ticketKeys ?? randomBytes(48));
  }

  /** Applies a new default certificate and settings (when the table changed them). */
  refreshDefault(): void {
    const s = this.#contexts.settings;
    this.server.setSecureContext({
      cert: this.#contexts.defaultPem.cert,
      key: this.#contexts.defaultPem.key,
      minVersion: s.minVersion,
      maxVersion: s.maxVersion,
      ciphers: s.ciphers,
      honorCipherOrder: true,
      sessionTimeout: s.sessionTimeout,
    });
  }

  setTicketKeys(keys: Buffer): void {
    this.server.setTicketKeys(keys);
  }

  /** Rotates the ticket key locally (single process); workers get keys from the primary instead. */
  startTicketRotation(): void {
    this.#rotation = setInterval(() => this.setTicketKeys(randomBytes(48)), TICKET_ROTATION_MS);
    this.#rotation.unref();
  }

  close(): void {
    if (this.#rotation) clearInterval(this.#rotation);
    this.server.close();
  }

  address(): net.AddressInfo {
    return this.server.address() as net.AddressInfo;
  }
}
