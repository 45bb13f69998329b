// Secure contexts for SNI: one per certificate (cached by the certificate's content id, so a
// table swap rebuilds only what changed), looked up by exact host, then one-label wildcard, else
// the default certificate. A rotated Secret gets a new id, so new handshakes use it at once while
// established connections keep theirs. Contexts are built on a certificate's first handshake,
// not at install: building one costs ~0.4 ms, and 5,000 of them were 2.2 s of start-up.

import { constants } from 'node:crypto';
import tls from 'node:tls';
import type { GlobalConfig } from '../../compile/config.ts';
import type { RouteTable } from '../../routes/table.ts';

export interface PemPair {
  cert: string;
  key: string;
}

export interface TlsSettings {
  minVersion: tls.SecureVersion;
  maxVersion: tls.SecureVersion;
  ciphers: string;
  sessionTimeout: number;
  /** ssl-session-tickets: "false" turns TLS session tickets off (SSL_OP_NO_TICKET). */
  tickets: boolean;
}

const VERSIONS: tls.SecureVersion[] = ['TLSv1.2', 'TLSv1.3'];

/** ssl-protocols / ssl-ciphers / ssl-session-timeout / ssl-session-tickets → Node TLS settings (TLS 1.2 and 1.3 only). */
export function tlsSettings(cfg: GlobalConfig): TlsSettings {
  const listed = cfg['ssl-protocols'].split(/\s+/).filter((v): v is tls.SecureVersion => (VERSIONS as string[]).includes(v));
  const versions = listed.length > 0 ? listed : VERSIONS;
  const sorted = [...versions].sort();
  return {
    minVersion: sorted[0]!,
    maxVersion: sorted[sorted.length - 1]!,
    ciphers: cfg['ssl-ciphers'],
    sessionTimeout: Math.max(1, Math.round(cfg['ssl-session-timeout'])),
    tickets: cfg['ssl-session-tickets'],
  };
}

/** OpenSSL options for the settings (tickets off). */
export function secureOptionsOf(s: TlsSettings): number {
  return s.tickets ? 0 : constants.SSL_OP_NO_TICKET;
}

export function contextOptions(pem: PemPair, s: TlsSettings): tls.SecureContextOptions {
  return { cert: pem.cert, key: pem.key, minVersion: s.minVersion, maxVersion: s.maxVersion, ciphers: s.ciphers, honorCipherOrder: true, sessionTimeout: s.sessionTimeout, secureOptions: secureOptionsOf(s) };
}

/** A certificate of the table and its context, built on first use (null: building it failed). */
interface CertEntry {
  pem: PemPair;
  ctx: tls.SecureContext | null | undefined;
}

export class ContextStore {
  #byId = new Map<string, CertEntry>();
  #exact = new Map<string, CertEntry>();
  #wildcard = new Map<string, CertEntry>();
  #default: tls.SecureContext;
  #generatedCtx: tls.SecureContext;
  #generated: PemPair;
  #settings: TlsSettings;
  #settingsKey = '';
  /** PEM of the certificate currently used as default (the listener needs it for non-SNI clients). */
  defaultPem: PemPair;
  readonly onError: (msg: string) => void;

  constructor(generated: PemPair, cfg: GlobalConfig, onError: (msg: string) => void) {
    this.#generated = generated;
    this.defaultPem = generated;
    this.onError = onError;
    this.#settings = tlsSettings(cfg);
    this.#generatedCtx = this.#createGenerated();
    this.#default = this.#generatedCtx;
  }

  #createGenerated(): tls.SecureContext {
    return this.#create(this.#generated) ?? tls.createSecureContext(contextOptions(this.#generated, { ...this.#settings, ciphers: tls.DEFAULT_CIPHERS }));
  }

  get settings(): TlsSettings {
    return this.#settings;
  }

  get defaultContext(): tls.SecureContext {
    return this.#default;
  }

  #create(pem: PemPair): tls.SecureContext | null {
    try {
      return tls.createSecureContext(contextOptions(pem, this.#settings));
    } catch (e) {
      this.onError(`cannot build a TLS context: ${(e as Error).message}`);
      return null;
    }
  }

  /** Installs a table's certificates. Contexts of unchanged certificates are reused. */
  install(table: RouteTable): void {
    this.#settings = tlsSettings(table.global);
    const key = JSON.stringify(this.#settings);
    if (key !== this.#settingsKey) {
      this.#settingsKey = key;
      this.#byId.clear();
      this.#generatedCtx = this.#createGenerated();
    }
    const byId = new Map<string, CertEntry>();
    const exact = new Map<string, CertEntry>();
    const wildcard = new Map<string, CertEntry>();
    for (const c of table.certificates) {
      const entry = this.#byId.get(c.id) ?? { pem: c, ctx: undefined };
      byId.set(c.id, entry);
      for (const h of c.hosts) {
        if (h.startsWith('*.')) wildcard.set(h.slice(2), entry);
        else exact.set(h, entry);
      }
    }
    // The default certificate serves clients without SNI: built now.
    const def = table.defaultCertificate !== null ? byId.get(table.defaultCertificate) : undefined;
    this.#default = (def !== undefined ? this.#contextOf(def) : null) ?? this.#generatedCtx;
    this.#byId = byId;
    this.#exact = exact;
    this.#wildcard = wildcard;
    this.defaultPem = def !== undefined && def.ctx !== null ? def.pem : this.#generated;
  }

  #contextOf(e: CertEntry): tls.SecureContext | null {
    if (e.ctx === undefined) e.ctx = this.#create(e.pem);
    return e.ctx;
  }

  /** SNI lookup: exact host, then `*.` wildcard, else the default certificate. */
  lookup(servername: string): tls.SecureContext {
    const name = servername.toLowerCase();
    let e = this.#exact.get(name);
    if (e === undefined) {
      const dot = name.indexOf('.');
      if (dot > 0) e = this.#wildcard.get(name.slice(dot + 1));
    }
    if (e === undefined) return this.#default;
    return (e.ctx !== undefined ? e.ctx : this.#contextOf(e)) ?? this.#default;
  }
}
