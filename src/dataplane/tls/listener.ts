// The HTTPS listener: TLS 1.2/1.3, SNI through the context store, ALPN (h2 when an HTTP/2
// handler is registered, http/1.1), session tickets whose key rotates every 12 hours. Decrypted
// HTTP/1.1 connections go to the same connection code as plain ones.

import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { secureOptionsOf, type ContextStore } from './contexts.ts';

export const TICKET_ROTATION_MS = 12 * 3600 * 1000;

export interface HttpsHandlers {
  http1(socket: tls.TLSSocket): void;
  /** Connections that negotiated h2. */
  h2: ((socket: tls.TLSSocket) => void) | null;
  /**
   * Called for each accepted TCP connection before TLS: hand it to `startTls` now, or later
   * (after a PROXY protocol header), or close it.
   */
  accept(socket: net.Socket, startTls: (socket: net.Socket) => void): void;
  /** Read at each handshake (ConfigMap use-http2 can change while the listener runs). */
  h2Enabled(): boolean;
}

/** ALPN: h2 when the client offers it and HTTP/2 is enabled, else http/1.1. */
function selectProtocol(handlers: HttpsHandlers, offered: readonly string[]): string | undefined {
  if (handlers.h2 !== null && offered.includes('h2') && handlers.h2Enabled()) return 'h2';
  if (offered.includes('http/1.1')) return 'http/1.1';
  // Only protocols we do not speak (or h2 while disabled): refuse with no_application_protocol.
  return undefined;
}

export class HttpsListener {
  /** The TLS server: contexts, SNI, tickets. It does not listen itself (see `listener`). */
  readonly server: tls.Server;
  /**
   * The listening socket. Connections reach the TLS server through `handlers.accept`, so bytes
   * that precede the handshake (a PROXY protocol header) can be read from the raw socket first.
   */
  readonly listener: net.Server;
  readonly #startTls = (socket: net.Socket): void => {
    this.server.emit('connection', socket);
  };
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
        secureOptions: secureOptionsOf(s),
        ALPNCallback: ({ protocols }) => selectProtocol(handlers, protocols),
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
    this.listener = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: false }, (socket) => handlers.accept(socket, this.#startTls));
    this.listener.on('error', (err) => onError(`HTTPS listener error: ${err.message}`));
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
      secureOptions: secureOptionsOf(s),
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
    this.listener.close();
  }

  address(): net.AddressInfo {
    return this.listener.address() as net.AddressInfo;
  }
}
