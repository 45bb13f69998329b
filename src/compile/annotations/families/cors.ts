// enable-cors and cors-*: the headers of ingress-nginx's CORS template (nginx.tmpl "CORS",
// cors/main.go). The cors-* keys are only read when enable-cors is true; on their own they have
// no effect (reported as such by unread.ts). Values are validated strictly: an invalid value
// denies the Ingress (ingress-nginx would silently fall back to the default).

import { bool, int } from '../../values.ts';
import type { CorsPolicy } from '../../policy.ts';
import type { AnnotationFamily } from '../family.ts';

export const CORS_DEFAULT_METHODS = 'GET, PUT, POST, DELETE, PATCH, OPTIONS';
export const CORS_DEFAULT_HEADERS = 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization';
export const CORS_DEFAULT_MAX_AGE = 1728000;

/**
 * One allowed origin: a lower-case scheme, "://", a host (optionally "*." plus labels: the star
 * is exactly one label), an optional port; or the literal "null". The same shapes ingress-nginx's
 * corsOriginRegex accepts, minus its empty host.
 */
const ORIGIN = /^(?:[a-z][a-z0-9+.-]*:\/\/(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?|null)$/;
const METHOD = /^[A-Za-z]+$/;
const HEADER = /^[A-Za-z0-9_-]+$/;

/** Splits a comma list; entries trimmed of spaces and tabs. Returns null when a CR/LF is present. */
function entries(value: string): string[] | null {
  if (/[\r\n]/.test(value)) return null;
  return value.split(',').map((e) => e.replace(/^[ \t]+|[ \t]+$/g, ''));
}

/** A list of names each matching `re`; empty entries (a trailing comma) are tolerated. Returns the trimmed value or an error. */
function nameList(value: string, re: RegExp, what: string, allowStar: boolean): { ok: string } | { error: string } {
  const list = entries(value);
  if (list === null) return { error: `expected comma-separated ${what}` };
  const named = list.filter((e) => e !== '');
  if (named.length === 0) return { error: `expected comma-separated ${what}` };
  for (const e of named) {
    if (!(re.test(e) || (allowStar && e === '*'))) return { error: `"${e}" is not a valid ${what.replace(/s$/, '')}; expected comma-separated ${what}` };
  }
  return { ok: value.trim() };
}

/** Parses cors-allow-origin: `*` anywhere means any origin (ingress-nginx stops reading there). */
export function parseOrigins(value: string): { origins: string[]; ignoredAfterStar: boolean } | { error: string } {
  const list = entries(value);
  if (list === null) return { error: 'expected `*` or comma-separated origins such as https://example.com, https://*.example.com:8443' };
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (e === '') continue;
    if (e === '*') return { origins: ['*'], ignoredAfterStar: list.slice(i + 1).some((x) => x !== '') };
    if (!ORIGIN.test(e)) {
      return { error: `"${e}" is not an origin; expected \`*\` or comma-separated scheme://host[:port] entries (one leading "*." label allowed), such as https://example.com, https://*.example.com:8443` };
    }
    const lower = e.toLowerCase();
    if (!out.includes(lower)) out.push(lower);
  }
  // A blank value allows every origin, as in ingress-nginx.
  return { origins: out.length === 0 ? ['*'] : out, ignoredAfterStar: false };
}

export const corsFamily: AnnotationFamily = {
  name: 'cors',
  apply(r, p) {
    const enabled = r.parse('enable-cors', bool());
    if (enabled !== true) return;
    const c: CorsPolicy = {
      origins: ['*'],
      methods: CORS_DEFAULT_METHODS,
      headers: CORS_DEFAULT_HEADERS,
      exposeHeaders: '',
      credentials: true,
      maxAge: CORS_DEFAULT_MAX_AGE,
    };
    const origin = r.raw('cors-allow-origin');
    if (origin !== undefined) {
      const o = parseOrigins(origin);
      if ('error' in o) r.error('cors-allow-origin', origin, o.error);
      else {
        c.origins = o.origins;
        if (o.ignoredAfterStar) r.warn('cors-allow-origin', 'IgnoredAnnotation', 'entries after `*` are ignored: `*` already allows every origin', 'info');
      }
    }
    const methods = r.raw('cors-allow-methods');
    if (methods !== undefined) {
      const m = nameList(methods, METHOD, 'method names (letters only)', false);
      if ('error' in m) r.error('cors-allow-methods', methods, m.error);
      else c.methods = m.ok;
    }
    const headers = r.raw('cors-allow-headers');
    if (headers !== undefined) {
      const h = nameList(headers, HEADER, 'header names (letters, digits, - and _)', false);
      if ('error' in h) r.error('cors-allow-headers', headers, h.error);
      else c.headers = h.ok;
    }
    const expose = r.raw('cors-expose-headers');
    if (expose !== undefined && expose.trim() !== '') {
      const h = nameList(expose, HEADER, 'header names (letters, digits, - and _) or *', true);
      if ('error' in h) r.error('cors-expose-headers', expose, h.error);
      else c.exposeHeaders = h.ok;
    }
    const cred = r.parse('cors-allow-credentials', bool());
    if (cred !== undefined) c.credentials = cred;
    const age = r.parse('cors-max-age', int(0, 2_147_483_647));
    if (age !== undefined) c.maxAge = age;
    p.cors = c;
  },
};
