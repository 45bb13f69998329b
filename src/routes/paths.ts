// Path normalisation shared by compile (Ingress paths) and the data plane (request paths), so
// both sides compare the same form. Like nginx before location matching: percent-decoding,
// merged slashes, resolved "." and ".." segments. Strings are latin1 byte strings (one char per
// byte), as the HTTP parser produces them.

const HEX: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i;
    t[97 + i] = 10 + i;
  }
  return t;
})();

/** True when no segment is empty or starts with "." (no "//", no "/."): nothing to resolve. */
function cleanSegments(p: string): boolean {
  let i = p.indexOf('/', 0);
  while (i !== -1 && i < p.length - 1) {
    const c = p.charCodeAt(i + 1);
    if (c === 47 /* / */ || c === 46 /* . */) return false;
    i = p.indexOf('/', i + 1);
  }
  return true;
}

/**
 * Returns the normalised path, or null when it is invalid (bad escape, NUL byte, or ".."
 * climbing above the root). Input must start with "/".
 */
export function normalizePath(p: string): string | null {
  let pct = p.indexOf('%');
  if (pct === -1 && cleanSegments(p)) return p; // the common case: nothing to do
  let decoded = p;
  if (pct !== -1) {
    // Copy the runs between escapes whole; decode each escape once (nginx does not re-decode).
    let out = '';
    let run = 0;
    while (pct !== -1) {
      const h = pct + 1 < p.length ? p.charCodeAt(pct + 1) : 0;
      const l = pct + 2 < p.length ? p.charCodeAt(pct + 2) : 0;
      const hv = h < 128 ? HEX[h]! : -1;
      const lv = l < 128 ? HEX[l]! : -1;
      if (hv < 0 || lv < 0) return null;
      const v = (hv << 4) | lv;
      if (v === 0) return null;
      out += p.slice(run, pct) + String.fromCharCode(v);
      run = pct + 3;
      pct = p.indexOf('%', run);
    }
    decoded = run < p.length ? out + p.slice(run) : out;
    if (cleanSegments(decoded)) return decoded;
  }
  const segs = decoded.split('/');
  const stack: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i]!;
    if (s === '' || s === '.') {
      // Merged slash or "." — but a trailing one keeps the trailing slash.
      if (i === segs.length - 1) stack.push('');
      continue;
    }
    if (s === '..') {
      if (stack.length === 0) return null;
      stack.pop();
      if (i === segs.length - 1) stack.push('');
      continue;
    }
    stack.push(s);
  }
  return '/' + stack.join('/');
}

/** Converts a path written in YAML (UTF-16) into the latin1 byte-string form requests use. */
export function toByteString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/** Prefix path as matched: without trailing slash, "/" stays "/". */
export function prefixKey(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47) end--;
  return end === path.length ? path : path.slice(0, end);
}
