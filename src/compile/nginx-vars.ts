// The nginx variables sluice understands in annotation values that ingress-nginx copies into
// nginx.conf (auth-url, auth-signin, auth-cache-key, auth-proxy-set-headers...). sluice has no
// nginx, so it interpolates this documented subset itself; any other variable is refused with an
// error naming it, as `nginx -t` would refuse an unknown one.

export type TemplatePart = string | { v: string };

/** Variables with a fixed name; `http_*`, `cookie_*` and `arg_*` are families. */
export const FIXED_VARIABLES: Readonly<Record<string, string>> = Object.freeze({
  scheme: 'scheme of the connection (http or https)',
  pass_access_scheme: 'scheme as forwarded upstream (X-Forwarded-Proto when use-forwarded-headers is on)',
  host: 'request host name, lower case, without port',
  http_host: 'Host header as received',
  best_http_host: 'host as forwarded upstream (first X-Forwarded-Host when use-forwarded-headers is on)',
  server_port: 'port the client connected to',
  request_uri: 'request target as received (path and query)',
  escaped_request_uri: 'request_uri percent-encoded for use as a query parameter',
  uri: 'normalised request path',
  args: 'query string without "?"',
  query_string: 'same as args',
  is_args: '"?" when there is a query string, else empty',
  request_method: 'request method',
  remote_addr: 'client address',
  remote_user: 'user name from Basic credentials in Authorization',
  request_id: 'request id (X-Request-ID)',
  req_id: 'request id (X-Request-ID)',
  namespace: 'namespace of the Ingress',
  ingress_name: 'name of the Ingress',
  service_name: 'name of the Service',
  service_port: 'port of the Service as written in the Ingress',
  location_path: 'path of the Ingress rule',
});

const FAMILY = /^(http|cookie|arg)_[A-Za-z0-9_]+$/;
const NAME_CHAR = /[A-Za-z0-9_]/;

export function isSupportedVariable(name: string): boolean {
  return Object.hasOwn(FIXED_VARIABLES, name) || FAMILY.test(name);
}

export const SUPPORTED_VARIABLES_TEXT = `$${Object.keys(FIXED_VARIABLES).join(', $')}, $http_<header>, $cookie_<name>, $arg_<name>`;

/**
 * Splits a value into literal text and variables ($name or ${name}). Returns the parts, or an
 * error naming the first unsupported or malformed variable.
 */
export function parseTemplate(value: string): { ok: true; parts: TemplatePart[]; variables: boolean } | { ok: false; error: string } {
  const parts: TemplatePart[] = [];
  let lit = '';
  let variables = false;
  for (let i = 0; i < value.length; ) {
    const c = value[i]!;
    if (c !== '$') {
      lit += c;
      i++;
      continue;
    }
    let name: string;
    if (value[i + 1] === '{') {
      const end = value.indexOf('}', i + 2);
      if (end < 0) return { ok: false, error: `unterminated variable "\${" at offset ${i}` };
      name = value.slice(i + 2, end);
      i = end + 1;
    } else {
      let j = i + 1;
      while (j < value.length && NAME_CHAR.test(value[j]!)) j++;
      name = value.slice(i + 1, j);
      i = j;
    }
    if (name === '' || !/^[A-Za-z0-9_]+$/.test(name)) return { ok: false, error: `invalid variable name after "$" (expected $name or \${name})` };
    // nginx lower-cases variable names (ngx_http_get_variable_index).
    const key = name.toLowerCase();
    if (!isSupportedVariable(key)) return { ok: false, error: `unsupported nginx variable $${name} (sluice interpolates ${SUPPORTED_VARIABLES_TEXT})` };
    if (lit !== '') parts.push(lit);
    lit = '';
    parts.push({ v: key });
    variables = true;
  }
  if (lit !== '') parts.push(lit);
  return { ok: true, parts, variables };
}
