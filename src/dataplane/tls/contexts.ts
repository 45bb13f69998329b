// Secure contexts for SNI: one per certificate (cached by the certificate's content id, so a
// table swap rebuilds only what changed), looked up by exact host, then one-label wildcard, else
// the default certificate. A rotated Secret gets a new id, so new handshakes use it at once while
// established connections keep theirs.

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
}

const VERSIONS: tls.SecureVersion[] = ['TLSv1.2', 'TLSv1.3'];

/** ssl-protocols / ssl-ciphers / ssl-session-timeout → Node TLS settings (TLS 1.2 and 1.3 only). */
export function tlsSettings(cfg: GlobalConfig): TlsSettings {
  const listed = cfg['ssl-protocols'].split(/\s+/).filter((v): v is tls.SecureVersion => (VERSIONS as string[]).includes(v));
  const versions = listed.length > 0 ? listed : VERSIONS;
  const sorted = [...versions].sort();
  return { minVersion: sorted[0]!, maxVersion: sorted[sorted.length - 1]!, ciphers: cfg['ssl-ciphers'], sessionTimeout: Math.max(1, Math.round(cfg['ssl-session-timeout'])) };
}

export function contextOptions(pem: PemPair, s: TlsSettings): tls.SecureContextOptions {
  return { cert: pem.cert, key: pem.key, minVersion: s.minVersion, maxVersion: s.maxVersion, ciphers: s.ciphers, honorCipherOrder: true, sessionTimeout: s.sessionTimeout };
}

export class ContextStore {
  #byId = new Map<string, tls.SecureContext>();
  #exact = new Map<string, tls.SecureContext>();
  #wildcard = new Map<string, tls.SecureContext>();
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
    const byId = new Map<string, tls.SecureContext>();
    const exact = new Map<string, tls.SecureContext>();
    const wildcard = new Map<string, tls.SecureContext>();
    let defaultPem = this.#generated;
    for (const c of table.certificates) {
      let ctx = this.#byId.get(c.id) ?? null;
      if (ctx === null) ctx = this.#create(c);
      if (ctx === null) continue;
      byId.set(c.id, ctx);
      if (c.id === table.defaultCertificate) defaultPem = c;
      for (const h of c.hosts) {
        if (h.startsWith('*.')) wildcard.set(h.slice(2), ctx);
        else exact.set(h, ctx);
      }
    }
    this.#default = (table.defaultCertificate !== null ? byId.get(table.defaultCertificate) : undefined) ?? this.#generatedCtx;
    this.#byId = byId;
    this.#exact = exact;
    this.#wildcard = wildcard;
    this.defaultPem = defaultPem;
  }

  /** SNI lookup: exact host, then `*.` wildcard, else the default certificate. */
  lookup(servername: string): tls.SecureContext {
    const name = servername.toLowerCase();
    const e = this.#exact.get(name);
    if (e !== undefined) return e;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const w = this.#wildcard.get(name.slice(dot + 1));
      if (w !== undefined) return w;
    }
    return this.#default;
  }
}
