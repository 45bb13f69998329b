// rewrite-target (+ x-forwarded-prefix): ingress-nginx's `rewrite "(?i)<location path>" <target>
// break;`. nginx matches the normalised URI ($uri: decoded, merged slashes), replaces the WHOLE
// URI with the target (captures $1..$9 from that match), keeps the query string, and sends the
// result upstream re-escaped (ngx_escape_uri NGX_ESCAPE_URI: controls, space, "#", "%", "?" and
// bytes >= 0x7f), so "%2F" in a captured part reaches the backend as "/". X-Forwarded-Prefix is
// only sent on this rewritten branch (template.go buildProxyPass).

import { CONTINUE } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';
import type { Target } from '../../router.ts';

/** Literal pieces and capture numbers, alternating: [text, n, text, n, ..., text]. */
type Template = (string | number)[];

interface RewriteState {
  target: Template;
  /** X-Forwarded-Prefix template, or null. */
  prefix: Template | null;
}

export function parseTemplate(s: string): Template {
  const out: Template = [];
  let last = 0;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i + 1);
    if (s.charCodeAt(i) === 36 /* $ */ && c >= 49 && c <= 57) {
      out.push(s.slice(last, i), c - 48);
      last = i + 2;
      i++;
    }
  }
  out.push(s.slice(last));
  return out;
}

function expand(tpl: Template, groups: string[]): string {
  let out = tpl[0] as string;
  for (let i = 1; i < tpl.length; i += 2) out += (groups[tpl[i] as number] ?? '') + (tpl[i + 1] as string);
  return out;
}

const HEX = '0123456789ABCDEF';

/** nginx NGX_ESCAPE_URI over a latin1 byte string. */
export function escapeUri(s: string): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x23 || c === 0x25 || c === 0x3f || c >= 0x7f) {
      out += s.slice(run, i) + '%' + HEX[(c >> 4) & 15] + HEX[c & 15];
      run = i + 1;
    }
  }
  return run === 0 ? s : out + s.slice(run);
}

/** Header values must not carry control characters decoded from the path. */
function headerSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f]/.test(s) ? s.replace(/[\x00-\x1f\x7f]/g, (ch) => '%' + HEX[ch.charCodeAt(0) >> 4] + HEX[ch.charCodeAt(0) & 15]) : s;
}

const rewrite: Step = (req, t, d) => {
  const st = t.state.get('rewrite') as RewriteState;
  const groups = t.regex!.exec(req.path);
  if (groups === null) return CONTINUE; // cannot happen: this route's pattern matched the path
  const q = req.query;
  d.target = escapeUri(expand(st.target, groups)) + (q.length > 1 ? q : '');
  if (st.prefix !== null) d.addHeaders += `X-Forwarded-Prefix: ${headerSafe(expand(st.prefix, groups))}\r\n`;
  return CONTINUE;
};

export const rewriteStep: StepFactory = (t: Target) => {
  const r = t.route;
  const rw = t.policy.rewrite;
  // needsRewrite: only regex locations whose path differs from the target.
  if (r === null || t.regex === null || rw.target === null || rw.target === r.matchPath || t.policy.denied !== null) return null;
  const xfp = rw.xForwardedPrefix;
  t.state.set('rewrite', { target: parseTemplate(rw.target), prefix: xfp !== null && xfp !== '' ? parseTemplate(xfp) : null } satisfies RewriteState);
  return rewrite;
};
