// The catalogue of every ingress-nginx annotation (controller v1.15.1), as data: what each key
// means in ingress-nginx, its default, the values it accepts, its risk and scope there, and what
// sluice does with it. The generated docs/annotations.md and the admin API's /debug/annotations
// are both built from this table, so it is the single place to change when support lands.
//
// Sources (read, not copied; every description here is our own wording):
//   kubernetes/ingress-nginx docs/user-guide/nginx-configuration/annotations.md  (semantics)
//   kubernetes/ingress-nginx docs/user-guide/nginx-configuration/annotations-risk.md  (risk, scope)
//   kubernetes/ingress-nginx internal/ingress/annotations/*/main.go  (validators, defaults, aliases)
//   kubernetes/ingress-nginx internal/ingress/controller/template/template.go and nginx.tmpl,
//   rootfs/etc/nginx/lua/*.lua  (what a value turns into at request time)
// Where docs and code disagree the code wins and the note says so.

/** ingress-nginx's risk class (annotations-risk.md). Since v1.12 the default `annotations-risk-level` is High, so Critical keys are refused. */
export type AnnotationRisk = 'Low' | 'Medium' | 'High' | 'Critical';

/** ingress-nginx's declared scope (annotations-risk.md): does the value belong to a location (path) or to the whole Ingress. */
export type AnnotationScope = 'location' | 'ingress';

/** What sluice does with the key. */
export type AnnotationStatus = 'supported' | 'partial' | 'not-yet' | 'never';

export type AnnotationGroup =
  | 'routing'
  | 'redirects'
  | 'tls'
  | 'backend'
  | 'proxy'
  | 'access'
  | 'auth-basic'
  | 'auth-external'
  | 'auth-mtls'
  | 'cors'
  | 'affinity'
  | 'canary'
  | 'errors'
  | 'headers'
  | 'observability'
  | 'mirror'
  | 'modsecurity'
  | 'fastcgi'
  | 'snippets';

export interface AnnotationSpec {
  /** Key suffix after the prefix, e.g. `rewrite-target`. The name ingress-nginx's parser treats as primary. */
  readonly key: string;
  /** Other suffixes read as the same annotation. ingress-nginx reads an alias only when the primary key is absent or empty. */
  readonly aliases: readonly string[];
  readonly group: AnnotationGroup;
  /** Scope as declared in ingress-nginx's annotations-risk table (or the parser, for keys the table lacks). */
  readonly scope: AnnotationScope;
  /** True when ingress-nginx applies the value to every path of the host (server block), whatever the declared scope. */
  readonly hostWide: boolean;
  readonly risk: AnnotationRisk;
  /** False for the two keys added after annotations-risk.md was last generated; their risk and scope come from the parser. */
  readonly inRiskTable: boolean;
  /** The effective ingress-nginx default when the annotation is absent; null when absent means "feature off / nothing set". */
  readonly nginxDefault: string | null;
  /** ConfigMap key that supplies the default (under the ingress-nginx name), when there is one. */
  readonly configMapKey: string | null;
  /** Short description of the accepted values. */
  readonly valueForm: string;
  /** One line: what the annotation does in ingress-nginx. */
  readonly summary: string;
  readonly status: AnnotationStatus;
  /** What sluice does differently, what is missing, why never; plus ingress-nginx facts an implementer needs. */
  readonly notes: string;
}

export interface AnnotationGroupInfo {
  readonly id: AnnotationGroup;
  readonly title: string;
  readonly blurb: string;
}

export const ANNOTATION_GROUPS: readonly AnnotationGroupInfo[] = Object.freeze([
  { id: 'routing', title: 'Routing and rewrites', blurb: 'How paths match and how the request path is rewritten before it reaches the Service.' },
  { id: 'redirects', title: 'Redirects', blurb: 'Answering with a redirect instead of proxying.' },
  { id: 'tls', title: 'TLS and HTTPS enforcement', blurb: 'HTTP to HTTPS redirects and the TLS settings of the listener.' },
  { id: 'backend', title: 'Backend protocol, upstream TLS and upstream headers', blurb: 'How sluice talks to the Service: protocol, TLS towards the pods, Host and Connection headers.' },
  { id: 'proxy', title: 'Timeouts, retries, body size and buffering', blurb: 'Per-path proxy tuning. Defaults come from the ConfigMap keys of the same name.' },
  { id: 'access', title: 'Rate limiting and IP filtering', blurb: 'Client address allow and deny lists, request and bandwidth limits.' },
  { id: 'auth-basic', title: 'Basic authentication', blurb: 'Username and password checks against a Secret, and how several access checks combine.' },
  { id: 'auth-external', title: 'External authentication (auth-url)', blurb: 'Asking an authentication service (oauth2-proxy and the like) before proxying.' },
  { id: 'auth-mtls', title: 'Client certificate authentication (mTLS)', blurb: 'Requiring and checking TLS client certificates. ingress-nginx applies these per host.' },
  { id: 'cors', title: 'CORS', blurb: 'Cross-origin resource sharing headers and preflight answers.' },
  { id: 'affinity', title: 'Session affinity and load balancing', blurb: 'Sticky sessions by cookie, balancing algorithm, consistent hashing.' },
  { id: 'canary', title: 'Canary', blurb: 'A second Ingress for the same host and path that takes a share of the traffic.' },
  { id: 'errors', title: 'Default backend and error pages', blurb: 'Where requests go when the Service has no endpoints or answers with an intercepted status.' },
  { id: 'headers', title: 'Response headers and miscellaneous', blurb: 'Extra response headers and HTTP/2 push.' },
  { id: 'observability', title: 'Logging and tracing', blurb: 'Per-path access and rewrite logs, OpenTelemetry.' },
  { id: 'mirror', title: 'Request mirroring', blurb: 'Sending a copy of each request to another URL.' },
  { id: 'modsecurity', title: 'ModSecurity (WAF)', blurb: 'The ModSecurity web application firewall built into ingress-nginx.' },
  { id: 'fastcgi', title: 'FastCGI', blurb: 'Settings for `backend-protocol: FCGI`.' },
  { id: 'snippets', title: 'Snippets (raw nginx configuration)', blurb: 'Annotations whose value is pasted into nginx.conf. sluice never accepts them.' },
]);

// Shared wording.
const BOOL = 'true|false';
const SNIPPET_NEVER =
  'Never: the value is raw nginx configuration. sluice does not generate or execute configuration text, so there is nothing to paste it into; accepting user-written directives is also the root cause of the CVE-2025-1974 (IngressNightmare) class. The Ingress keeps working, the snippet is ignored and reported with a warning.';
const NGINX_VARS =
  'The value may contain nginx variables ($host, $request_uri, $http_<name>…); sluice has no nginx variables, so it must interpolate a documented subset itself and reject the rest.';

interface Input {
  key: string;
  aliases?: readonly string[];
  group: AnnotationGroup;
  scope: AnnotationScope;
  hostWide?: boolean;
  risk: AnnotationRisk;
  inRiskTable?: boolean;
  def: string | null;
  cm?: string;
  values: string;
  summary: string;
  status: AnnotationStatus;
  notes: string;
}

const a = (i: Input): AnnotationSpec =>
  Object.freeze({
    key: i.key,
    aliases: Object.freeze([...(i.aliases ?? [])]),
    group: i.group,
    scope: i.scope,
    hostWide: i.hostWide ?? false,
    risk: i.risk,
    inRiskTable: i.inRiskTable ?? true,
    nginxDefault: i.def,
    configMapKey: i.cm ?? null,
    valueForm: i.values,
    summary: i.summary,
    status: i.status,
    notes: i.notes,
  });

const ENTRIES: readonly AnnotationSpec[] = [
  // ---------------------------------------------------------------- routing
  a({
    key: 'use-regex',
    group: 'routing',
    scope: 'location',
    hostWide: true,
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Treats the paths of this Ingress as regular expressions.',
    status: 'supported',
    notes:
      'Host-wide in ingress-nginx: once any path of a host has use-regex (or a rewrite-target that differs from its location path), every location of that host, from every Ingress, becomes `~* "^<path>"`: case-insensitive and anchored at the start only, so Prefix `/foo` also matches `/foobar` and Exact `/foo` matches `/foo/x` (template.go enforceRegexModifier, buildLocation). Prefix paths of Ingresses without use-regex are first normalised to `/p/` plus an exact copy `/p` (unless an Exact `/p` exists; location.go updateServerLocations), so both end up as regexes. Locations are sorted by path length, longest first (ties: path descending) and the first regex that matches wins, which is why `/foo/bar/[A-Z0-9]{3}` beats `/foo/bar/bar`. sluice does all of this, matching the normalised path as nginx matches $uri. Difference: patterns run on a linear-time engine with RE2 syntax, so no Ingress can stall the proxy; a pattern that needs backtracking (backreference, lookaround, atomic group, possessive quantifier) is rejected for that path with an InvalidPath error naming the feature, and the other paths of the host keep working.',
  }),
  a({
    key: 'rewrite-target',
    group: 'routing',
    scope: 'ingress',
    hostWide: true,
    risk: 'Medium',
    def: null,
    values: 'path, may reference capture groups $1…$9',
    summary: 'Replaces the request path sent to the Service, using capture groups from the Ingress path.',
    status: 'supported',
    notes:
      'ingress-nginx renders `rewrite "(?i)<location path>" <target> break;` (template.go buildProxyPass) only where the target differs from the location path; that also puts the whole host in regex mode (see use-regex). The whole URI is replaced by the target, $1..$9 come from the case-insensitive match of the path against the normalised URI ($uri: decoded, slashes merged), and the query string is kept (an empty one adds no `?`). The rewritten URI goes upstream re-escaped as nginx does (controls, space, `#`, `%`, `?` and bytes >= 0x7f), so `%2F` inside a captured part reaches the backend as `/`. sluice matches this. Differences: the value must start with `/` and only $1..$9 may follow `$`; an absolute URL (which would make nginx answer with a 302) and nginx variables are rejected as invalid, as is anything outside ingress-nginx\'s validator characters.',
  }),
  a({
    key: 'app-root',
    group: 'routing',
    scope: 'location',
    hostWide: true,
    risk: 'Medium',
    def: null,
    values: 'absolute path, e.g. /app (no scheme or host)',
    summary: 'Redirects requests for exactly `/` to this path.',
    status: 'supported',
    notes:
      'ingress-nginx renders `if ($uri = /) { return 302 $scheme://$http_host<app-root>; }` at server level, so it answers `/` (after normalisation, query dropped) on the whole host, whichever Ingress serves `/`, before any location rule such as the SSL redirect or HSTS. With several app-roots on one host the first location in nginx order wins. sluice does the same. Only an absolute path of letters, digits and `-._~/:` is accepted; ingress-nginx drops a value with a scheme with a warning, sluice reports it as invalid.',
  }),
  a({
    key: 'x-forwarded-prefix',
    group: 'routing',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'string, e.g. /api',
    summary: 'Sends an X-Forwarded-Prefix header with this value to the Service.',
    status: 'supported',
    notes:
      'ingress-nginx only sets the header on the rewrite branch of buildProxyPass (template.go), so it has an effect only together with a rewrite-target that differs from the location path; an empty value sends nothing (e2e xforwardedprefix.go). $1..$9 refer to the rewrite\'s captures. sluice does the same; other `$` variables are rejected as invalid.',
  }),
  a({
    key: 'server-alias',
    group: 'routing',
    scope: 'ingress',
    hostWide: true,
    risk: 'High',
    def: null,
    values: 'comma-separated host names',
    summary: 'Serves the same routes under additional host names.',
    status: 'supported',
    notes:
      'The aliases serve every path of the host, from every Ingress (e2e alias.go). An alias equal to a host some Ingress declares is ignored (controller.go removes conflicting aliases), and so is an alias an older Ingress already claimed; both are reported as warnings. With several hosts in one Ingress the aliases go to its first host. Over TLS an alias gets the host\'s certificate when that certificate covers it, else the default one. Difference: ingress-nginx accepts nginx server_name syntax including regex names; sluice accepts what an Ingress host accepts (exact names, or `*.` as the whole first label) and reports other values as invalid.',
  }),

  // ---------------------------------------------------------------- redirects
  a({
    key: 'permanent-redirect',
    group: 'redirects',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'absolute http(s) URL',
    summary: 'Answers every request on the path with a permanent redirect to this URL instead of proxying.',
    status: 'supported',
    notes:
      'nginx `return <code> <url>` in the location\'s rewrite phase, so it answers before the SSL redirect and any access check; the URL is the Location as written (request path not appended) and must use ingress-nginx\'s validator characters (letters, digits, `-._~/:,?&=`). A value starting with `/` is made absolute with the request\'s scheme and host unless relative-redirects is on (nginx absolute_redirect; e2e relativeredirects.go). For codes without a Location form (300, 304-306) nginx sends the URL as the body, and so does sluice. temporal-redirect wins when both are set (redirect.go). Difference: a relative value not starting with `/` and non-http(s) schemes are rejected as invalid.',
  }),
  a({
    key: 'permanent-redirect-code',
    group: 'redirects',
    scope: 'location',
    risk: 'Low',
    def: '301',
    values: 'integer 300–308',
    summary: 'Status code used by permanent-redirect.',
    status: 'supported',
    notes:
      '300-308; ingress-nginx silently falls back to 301 for a number outside 300-308 (redirect.go); sluice reports the value as invalid (the Ingress\'s paths answer 503 until fixed).',
  }),
  a({
    key: 'temporal-redirect',
    group: 'redirects',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'absolute http(s) URL',
    summary: 'Answers every request on the path with a temporary redirect to this URL instead of proxying.',
    status: 'supported',
    notes:
      'Takes precedence over permanent-redirect when both are present; must be an absolute http(s) URL (redirect.go isValidURL) made of the validator\'s characters. The URL is used as is.',
  }),
  a({
    key: 'temporal-redirect-code',
    group: 'redirects',
    scope: 'location',
    risk: 'Low',
    def: '302',
    values: 'integer 300–308',
    summary: 'Status code used by temporal-redirect.',
    status: 'supported',
    notes:
      'Added in ingress-nginx v1.12. 300-308; ingress-nginx falls back to 302 for other numbers, sluice reports them as invalid.',
  }),
  a({
    key: 'from-to-www-redirect',
    group: 'redirects',
    scope: 'location',
    hostWide: true,
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Redirects between `www.<host>` and `<host>`, towards whichever one the Ingress declares.',
    status: 'supported',
    notes:
      'ingress-nginx creates an extra server for the other name (`www.<host>` or `<host>` without `www.`) that answers every request with the ConfigMap `http-redirect-code` (308) to `<scheme>://<host>:<port><request URI>` with one trailing `/` of the request URI dropped; X-Forwarded-Proto/-Port count with use-forwarded-headers (ngx_srv_redirect.lua; e2e expects `http://host:80/foo` and `https://host:443`). Skipped when the other name is itself an Ingress host. Over TLS the redirect server presents the host\'s certificate when it covers the other name, else the default one; it sends no HSTS header. Difference: ingress-nginx takes the port from the listening socket, sluice from the request\'s Host header (else the scheme\'s default port). Both give the same answer on a standard install; sluice\'s stays right when it listens on another port behind a Service (8080/8443 in deploy/).',
  }),
  a({
    key: 'relative-redirects',
    group: 'redirects',
    scope: 'location',
    risk: 'Low',
    inRiskTable: false,
    def: 'false',
    cm: 'relative-redirects',
    values: BOOL,
    summary: 'Makes redirects that the proxy itself generates use a relative Location header.',
    status: 'supported',
    notes:
      'Turns off nginx `absolute_redirect`: a Location sluice builds from a value starting with `/` (permanent-redirect / temporal-redirect) stays relative (e2e relativeredirects.go). The ConfigMap key of the same name sets the default. The other redirects ingress-nginx generates (app-root, SSL, from-to-www) are already absolute, so it does not change them, in either implementation. Added to ingress-nginx after annotations-risk.md was last generated, so it is missing from that table; Low risk and location scope come from the parser.',
  }),
  a({
    key: 'use-port-in-redirects',
    group: 'redirects',
    scope: 'location',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Keeps the port number in redirects the proxy generates.',
    status: 'supported',
    notes:
      'nginx `port_in_redirect on`: a relative permanent/temporal redirect made absolute carries the listening port when it is not the scheme\'s default, and the HTTPS redirect always carries the HTTPS listener\'s port (lua_ingress.lua: `https://<host>:<listen https port><uri>`). sluice does both.',
  }),

  // ---------------------------------------------------------------- tls
  a({
    key: 'ssl-redirect',
    group: 'tls',
    scope: 'location',
    risk: 'Low',
    def: 'true',
    cm: 'ssl-redirect',
    values: BOOL,
    summary: 'Redirects plain-HTTP requests to HTTPS when the host has TLS configured; "false" opts out.',
    status: 'supported',
    notes:
      'Exact ingress-nginx behaviour (lua_ingress.lua): only when the request scheme is http (X-Forwarded-Proto counts when use-forwarded-headers is on) and a certificate is configured for the host; status is the ConfigMap `http-redirect-code` (308); Location is `https://<host without port><request URI>`; paths under ConfigMap `no-tls-redirect-locations` (default `/.well-known/acme-challenge`) are never redirected; and unless preserve-trailing-slash is set, one trailing `/` at the very end of the request URI is dropped.',
  }),
  a({
    key: 'force-ssl-redirect',
    group: 'tls',
    scope: 'location',
    risk: 'Medium',
    def: 'false',
    cm: 'force-ssl-redirect',
    values: BOOL,
    summary: 'Redirects to HTTPS even when the Ingress has no TLS section (TLS ends at a load balancer in front).',
    status: 'supported',
    notes: 'Same redirect as ssl-redirect but without the certificate check. Behind a TLS-terminating load balancer it only avoids loops if use-forwarded-headers lets X-Forwarded-Proto through.',
  }),
  a({
    key: 'preserve-trailing-slash',
    group: 'tls',
    scope: 'location',
    risk: 'Medium',
    def: 'false',
    values: BOOL,
    summary: 'Keeps a trailing slash in the URI of the HTTPS redirect.',
    status: 'supported',
    notes:
      'By default ingress-nginx strips one trailing `/` at the very end of the request URI (query included) from the HTTPS redirect; this annotation keeps it (lua_ingress.lua; e2e preservetrailingslash.go expects `https://host/` for `/`). It only changes the SSL redirect.',
  }),
  a({
    key: 'ssl-passthrough',
    group: 'tls',
    scope: 'ingress',
    hostWide: true,
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Forwards the TLS connection untouched to the Service, routing on SNI at layer 4.',
    status: 'not-yet',
    notes:
      'Needs the controller flag --enable-ssl-passthrough in ingress-nginx; every other annotation on the Ingress then has no effect. Would need a ClientHello SNI peek in front of the TLS listener and a TCP splice.',
  }),
  a({
    key: 'ssl-ciphers',
    group: 'tls',
    scope: 'ingress',
    hostWide: true,
    risk: 'Low',
    def: null,
    cm: 'ssl-ciphers',
    values: 'OpenSSL cipher list',
    summary: 'Sets the TLS cipher list for the host.',
    status: 'not-yet',
    notes: 'Server-level in ingress-nginx, so it applies to every path of the host. Node can set ciphers per SNI context.',
  }),
  a({
    key: 'ssl-prefer-server-ciphers',
    group: 'tls',
    scope: 'ingress',
    hostWide: true,
    risk: 'Low',
    def: null,
    values: BOOL,
    summary: 'Prefers the server cipher order over the client\'s for the host.',
    status: 'not-yet',
    notes: 'Server-level; when absent the global setting applies. Maps to Node\'s honorCipherOrder per SNI context.',
  }),

  // ---------------------------------------------------------------- backend
  a({
    key: 'backend-protocol',
    group: 'backend',
    scope: 'location',
    risk: 'Low',
    def: 'HTTP',
    values: 'HTTP|HTTPS|GRPC|GRPCS|AUTO_HTTP|FCGI (case-insensitive)',
    summary: 'Protocol used to talk to the Service.',
    status: 'partial',
    notes:
      'HTTP, HTTPS, GRPC and GRPCS are supported; AUTO_HTTP (reuse the client\'s scheme) and FCGI are not yet and are reported. AJP is gone from the code although the docs table still lists it (template.go knows only the six values above). ingress-nginx falls back to HTTP on an unknown value; sluice reports an error. HTTPS/GRPCS do not verify the pod certificate unless proxy-ssl-verify is on.',
  }),
  a({
    key: 'proxy-ssl-secret',
    group: 'backend',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'namespace/name of a Secret with tls.crt, tls.key and ca.crt',
    summary: 'Client certificate for mTLS to the Service, and the CA that verifies the Service.',
    status: 'not-yet',
    notes:
      'Prerequisite for every other proxy-ssl-* key: without it ingress-nginx ignores them all (proxyssl/main.go returns before reading them). The namespace must be the Ingress\'s own unless cross-namespace references are allowed.',
  }),
  a({
    key: 'proxy-ssl-verify',
    group: 'backend',
    scope: 'ingress',
    risk: 'Low',
    def: 'off',
    values: 'on|off',
    summary: 'Verifies the certificate presented by the Service.',
    status: 'partial',
    notes:
      'In ingress-nginx this only works together with proxy-ssl-secret, whose ca.crt is the trust anchor. Partial in sluice until proxy-ssl-secret lands: "on" verifies against the default CA store; see proxy-ssl-secret.',
  }),
  a({
    key: 'proxy-ssl-verify-depth',
    group: 'backend',
    scope: 'ingress',
    risk: 'Low',
    def: '1',
    values: 'integer',
    summary: 'Maximum certificate chain depth when verifying the Service.',
    status: 'not-yet',
    notes: 'Only read when proxy-ssl-secret is set. 0 is treated as the default 1.',
  }),
  a({
    key: 'proxy-ssl-name',
    group: 'backend',
    scope: 'ingress',
    risk: 'High',
    def: null,
    values: 'server name',
    summary: 'Name used to verify the Service certificate (and sent as SNI when proxy-ssl-server-name is on).',
    status: 'not-yet',
    notes: 'Only read when proxy-ssl-secret is set. High risk upstream because the validator lets regex characters through.',
  }),
  a({
    key: 'proxy-ssl-server-name',
    group: 'backend',
    scope: 'ingress',
    risk: 'Low',
    def: 'off',
    values: 'on|off',
    summary: 'Sends SNI when connecting to the Service over TLS.',
    status: 'not-yet',
    notes: 'Only read when proxy-ssl-secret is set.',
  }),
  a({
    key: 'proxy-ssl-ciphers',
    group: 'backend',
    scope: 'ingress',
    risk: 'Medium',
    def: 'DEFAULT',
    values: 'OpenSSL cipher list',
    summary: 'Cipher list for TLS connections to the Service.',
    status: 'not-yet',
    notes: 'Only read when proxy-ssl-secret is set.',
  }),
  a({
    key: 'proxy-ssl-protocols',
    group: 'backend',
    scope: 'ingress',
    risk: 'Low',
    def: 'TLSv1.2',
    values: 'space-separated list of TLSv1.2, TLSv1.3',
    summary: 'TLS versions allowed towards the Service.',
    status: 'not-yet',
    notes:
      'Only read when proxy-ssl-secret is set. The parser default is TLSv1.2 alone (proxyssl/main.go); unknown words are dropped and an empty result falls back to the default.',
  }),
  a({
    key: 'proxy-http-version',
    group: 'backend',
    scope: 'location',
    risk: 'Low',
    def: '1.1',
    cm: 'proxy-http-version',
    values: '1.0|1.1',
    summary: 'HTTP version used towards the Service.',
    status: 'not-yet',
    notes: 'sluice speaks HTTP/1.1 to upstreams; 1.0 would mean no keep-alive and no chunked request bodies towards the pod.',
  }),
  a({
    key: 'upstream-vhost',
    group: 'backend',
    scope: 'location',
    risk: 'Low',
    def: null,
    values: 'host name',
    summary: 'Overrides the Host header sent to the Service.',
    status: 'supported',
    notes:
      'nginx `proxy_set_header Host "<value>"` for the path; X-Forwarded-Host keeps the client\'s Host (e2e upstreamvhost.go). ingress-nginx\'s validator allows nginx variables; sluice interpolates $host, $http_host, $best_http_host, $service_name, $namespace and $service_port and rejects other variables as invalid.',
  }),
  a({
    key: 'service-upstream',
    group: 'backend',
    scope: 'ingress',
    risk: 'Low',
    def: 'false',
    cm: 'service-upstream',
    values: BOOL,
    summary: 'Sends traffic to the Service ClusterIP instead of the pod endpoints.',
    status: 'not-yet',
    notes: 'With it, stickiness and retries to another endpoint stop working, because there is a single upstream (annotations.md, Service Upstream).',
  }),
  a({
    key: 'connection-proxy-header',
    group: 'backend',
    scope: 'location',
    risk: 'Low',
    def: null,
    values: 'header value, e.g. keep-alive',
    summary: 'Overrides the Connection header sent to the Service.',
    status: 'not-yet',
    notes: 'By default ingress-nginx sends `upgrade` for upgrade requests and otherwise keeps the upstream connection alive (map $connection_upgrade in nginx.tmpl).',
  }),

  // ---------------------------------------------------------------- proxy
  a({
    key: 'proxy-connect-timeout',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: '5',
    cm: 'proxy-connect-timeout',
    values: 'integer seconds (no unit)',
    summary: 'Time allowed to open a connection to a pod.',
    status: 'supported',
    notes: 'The validator is a plain integer: "5s" is invalid. ingress-nginx then quietly uses the default; sluice reports the annotation.',
  }),
  a({
    key: 'proxy-send-timeout',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: '60',
    cm: 'proxy-send-timeout',
    values: 'integer seconds (no unit)',
    summary: 'Maximum pause between two writes of the request to the pod.',
    status: 'supported',
    notes: 'An idle timeout between writes, not a total. Raise for WebSockets and long uploads.',
  }),
  a({
    key: 'proxy-read-timeout',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: '60',
    cm: 'proxy-read-timeout',
    values: 'integer seconds (no unit)',
    summary: 'Maximum pause between two reads of the response from the pod.',
    status: 'supported',
    notes: 'An idle timeout between reads, not a total. WebSocket and SSE users raise it to 3600+. gRPC uses the same values.',
  }),
  a({
    key: 'proxy-next-upstream',
    group: 'proxy',
    scope: 'location',
    risk: 'Medium',
    def: 'error timeout',
    cm: 'proxy-next-upstream',
    values: 'space-separated: error timeout invalid_header http_500 http_502 http_503 http_504 http_403 http_404 http_429 non_idempotent, or off',
    summary: 'Which failures make the proxy retry the request on another pod.',
    status: 'supported',
    notes:
      'Requests with non-idempotent methods (POST, LOCK, PATCH) are retried only with `non_idempotent` or the ConfigMap retry-non-idempotent (template.go buildNextUpstream). A retry is impossible once part of the response was sent to the client.',
  }),
  a({
    key: 'proxy-next-upstream-timeout',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: '0',
    cm: 'proxy-next-upstream-timeout',
    values: 'integer seconds, 0 = no limit',
    summary: 'Time budget for trying further pods.',
    status: 'supported',
    notes: 'Once this much time has passed since the request was first sent, no further pod is tried.',
  }),
  a({
    key: 'proxy-next-upstream-tries',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: '3',
    cm: 'proxy-next-upstream-tries',
    values: 'integer, 0 = no limit',
    summary: 'Maximum number of tries, the first one included.',
    status: 'supported',
    notes: 'Also bounded by the number of pods in sluice.',
  }),
  a({
    key: 'proxy-body-size',
    group: 'proxy',
    scope: 'location',
    risk: 'Medium',
    def: '1m',
    cm: 'proxy-body-size',
    values: 'size: bytes or a number with k, m or g; 0 = unlimited',
    summary: 'Largest request body accepted; larger ones get 413.',
    status: 'supported',
    notes:
      'The ingress-nginx validator also accepts a `b` suffix, but the template then drops such a value (isValidByteSize) and the server default applies; sluice rejects `b`. The most common reason people add annotations at all.',
  }),
  a({
    key: 'client-body-buffer-size',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: '8k',
    cm: 'client-body-buffer-size',
    values: 'size: bytes or a number with k or m',
    summary: 'Request body size kept in memory before nginx spills to a temporary file.',
    status: 'supported',
    notes: 'sluice never writes bodies to disk; the size bounds how much of a body it keeps in memory so a retry can resend it.',
  }),
  a({
    key: 'proxy-buffer-size',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: '4k',
    cm: 'proxy-buffer-size',
    values: 'size: bytes or a number with k or m',
    summary: 'Buffer for the first part of the response, which bounds the size of the response headers.',
    status: 'supported',
    notes: 'Responses whose headers exceed it fail with 502 ("upstream sent too big header"), typical with large OIDC cookies.',
  }),
  a({
    key: 'proxy-buffers-number',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: '4',
    cm: 'proxy-buffers-number',
    values: 'integer',
    summary: 'Number of response buffers (each proxy-buffer-size) used when buffering is on.',
    status: 'not-yet',
    notes: 'nginx memory tuning with no direct equivalent; likely to be accepted and validated as a sizing hint only.',
  }),
  a({
    key: 'proxy-busy-buffers-size',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    inRiskTable: false,
    def: null,
    values: 'size: bytes or a number with k or m',
    summary: 'How much of the buffered response may be busy sending to the client at once.',
    status: 'not-yet',
    notes:
      'Added in ingress-nginx v1.13 and missing from annotations-risk.md (Low risk, location scope from proxy/main.go). Since v1.14 no default is rendered, so nginx\'s own default applies. nginx memory tuning with no direct equivalent.',
  }),
  a({
    key: 'proxy-max-temp-file-size',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: '1024m',
    values: 'size: bytes or a number with k, m or g; 0 = no temporary files',
    summary: 'Largest temporary file used when a buffered response does not fit in memory.',
    status: 'not-yet',
    notes: 'sluice does not spill responses to disk; 0 is already its behaviour.',
  }),
  a({
    key: 'proxy-request-buffering',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: 'on',
    cm: 'proxy-request-buffering',
    values: 'on|off',
    summary: 'Reads the whole request body before contacting the pod.',
    status: 'supported',
    notes: 'With "off" the body streams to the pod as it arrives, so a try that fails after the body started to flow cannot move to another pod.',
  }),
  a({
    key: 'proxy-buffering',
    group: 'proxy',
    scope: 'location',
    risk: 'Low',
    def: 'off',
    cm: 'proxy-buffering',
    values: 'on|off',
    summary: 'Buffers the response from the pod instead of streaming it.',
    status: 'supported',
    notes: 'Off by default in ingress-nginx (unlike plain nginx), so responses stream.',
  }),
  a({
    key: 'proxy-cookie-domain',
    group: 'proxy',
    scope: 'location',
    risk: 'Medium',
    def: 'off',
    cm: 'proxy-cookie-domain',
    values: '"off" or "<from> <to>"',
    summary: 'Rewrites the Domain attribute of Set-Cookie headers from the pod.',
    status: 'not-yet',
    notes: 'Since v1.15 the value has its own validator regex.',
  }),
  a({
    key: 'proxy-cookie-path',
    group: 'proxy',
    scope: 'location',
    risk: 'Medium',
    def: 'off',
    cm: 'proxy-cookie-path',
    values: '"off" or "<from> <to>"',
    summary: 'Rewrites the Path attribute of Set-Cookie headers from the pod.',
    status: 'not-yet',
    notes: 'A Set-Cookie header rewrite on the response path; straightforward once proxy-cookie-domain exists.',
  }),
  a({
    key: 'proxy-redirect-from',
    group: 'proxy',
    scope: 'location',
    risk: 'Medium',
    def: 'off',
    cm: 'proxy-redirect-from',
    values: '"off", "default" or a URL prefix (no spaces)',
    summary: 'Text to replace in Location and Refresh headers from the pod (first half of nginx proxy_redirect).',
    status: 'not-yet',
    notes: '"off" and "default" make proxy-redirect-to irrelevant; otherwise both must be set.',
  }),
  a({
    key: 'proxy-redirect-to',
    group: 'proxy',
    scope: 'location',
    risk: 'Medium',
    def: 'off',
    values: 'URL prefix (no spaces)',
    summary: 'Replacement for proxy-redirect-from in Location and Refresh headers.',
    status: 'not-yet',
    notes: 'Comes with proxy-redirect-from: a Location/Refresh header rewrite on the response path.',
  }),

  // ---------------------------------------------------------------- access
  a({
    key: 'allowlist-source-range',
    aliases: ['whitelist-source-range'],
    group: 'access',
    scope: 'location',
    risk: 'Medium',
    def: null,
    cm: 'whitelist-source-range',
    values: 'comma-separated IPs and CIDRs (IPv4 or IPv6)',
    summary: 'Only clients from these ranges may use the path; others get 403.',
    status: 'supported',
    notes:
      'allowlist-source-range is the primary key in the parser and whitelist-source-range its alias, read only when the primary is absent or empty (ipallowlist/main.go, parser checkAnnotation). The annotation replaces the ConfigMap list rather than adding to it. The client address comes from the connection, the PROXY protocol, or X-Forwarded-For when use-forwarded-headers is on.',
  }),
  a({
    key: 'denylist-source-range',
    group: 'access',
    scope: 'location',
    risk: 'Medium',
    def: null,
    cm: 'denylist-source-range',
    values: 'comma-separated IPs and CIDRs (IPv4 or IPv6)',
    summary: 'Clients from these ranges get 403 on the path.',
    status: 'supported',
    notes: 'The annotation replaces the ConfigMap denylist for this Ingress.',
  }),
  a({
    key: 'limit-rps',
    group: 'access',
    scope: 'location',
    risk: 'Low',
    def: null,
    values: 'integer requests per second per client address; 0 = off',
    summary: 'Limits requests per second from one client address.',
    status: 'not-yet',
    notes:
      'nginx limit_req (leaky bucket) with burst = limit × limit-burst-multiplier and nodelay; excess gets the ConfigMap limit-req-status-code (503). Counted per controller replica. In the generated config the order is connections, then rps, then rpm (template.go buildRateLimit), although annotations.md says connections, rpm, rps.',
  }),
  a({
    key: 'limit-rpm',
    group: 'access',
    scope: 'location',
    risk: 'Low',
    def: null,
    values: 'integer requests per minute per client address; 0 = off',
    summary: 'Limits requests per minute from one client address.',
    status: 'not-yet',
    notes: 'Same mechanism as limit-rps, with a per-minute rate.',
  }),
  a({
    key: 'limit-connections',
    group: 'access',
    scope: 'location',
    risk: 'Low',
    def: null,
    values: 'integer concurrent connections per client address; 0 = off',
    summary: 'Limits concurrent connections from one client address.',
    status: 'not-yet',
    notes: 'Excess gets the ConfigMap limit-conn-status-code (503). Per replica.',
  }),
  a({
    key: 'limit-burst-multiplier',
    group: 'access',
    scope: 'location',
    risk: 'Low',
    def: '5',
    values: 'integer',
    summary: 'Burst size as a multiple of limit-rps / limit-rpm.',
    status: 'not-yet',
    notes: 'Comes with limit-rps / limit-rpm.',
  }),
  a({
    key: 'limit-rate',
    group: 'access',
    scope: 'location',
    risk: 'Low',
    def: '0',
    cm: 'limit-rate',
    values: 'integer kilobytes per second per connection; 0 = off',
    summary: 'Caps the speed at which a response is sent to one connection.',
    status: 'not-yet',
    notes:
      'Docs and code disagree on the unit: the parser description says bytes, but the template appends `k`, so the value is kilobytes per second (template.go buildRateLimit). Only effective with proxy-buffering on.',
  }),
  a({
    key: 'limit-rate-after',
    group: 'access',
    scope: 'location',
    risk: 'Low',
    def: '0',
    cm: 'limit-rate-after',
    values: 'integer kilobytes',
    summary: 'Amount of a response sent at full speed before limit-rate applies.',
    status: 'not-yet',
    notes: 'Kilobytes, like limit-rate. Only effective with proxy-buffering on.',
  }),
  a({
    key: 'limit-allowlist',
    aliases: ['limit-whitelist'],
    group: 'access',
    scope: 'location',
    risk: 'Low',
    def: null,
    values: 'comma-separated IPs and CIDRs',
    summary: 'Client ranges exempt from limit-rps, limit-rpm and limit-connections.',
    status: 'not-yet',
    notes:
      'limit-allowlist is the primary key and limit-whitelist its alias (ratelimit/main.go). Since v1.15 aliases are also counted in the risk check. An invalid list rejects the whole Ingress in ingress-nginx.',
  }),

  // ---------------------------------------------------------------- auth-basic
  a({
    key: 'auth-type',
    group: 'auth-basic',
    scope: 'location',
    risk: 'Low',
    def: null,
    values: 'basic|digest',
    summary: 'Turns on HTTP authentication against the users in auth-secret.',
    status: 'partial',
    notes:
      '`basic` is supported; `digest` is not yet and is reported. Without auth-type, auth-secret has no effect. ingress-nginx removes the Authorization header before proxying when this is on (nginx.tmpl). Its validator is an unanchored `basic|digest`, so any other value containing one of the words passes and is then treated as digest; sluice accepts only the two exact words.',
  }),
  a({
    key: 'auth-secret',
    group: 'auth-basic',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'Secret name, or namespace/name',
    summary: 'Secret holding the users and password hashes.',
    status: 'supported',
    notes:
      'A missing Secret or missing key denies the location: ingress-nginx answers 503 on that path. A namespace other than the Ingress\'s needs allow-cross-namespace-resources upstream (off by default since v1.12) and --allow-cross-namespace-secrets in sluice.',
  }),
  a({
    key: 'auth-secret-type',
    group: 'auth-basic',
    scope: 'location',
    risk: 'Low',
    def: 'auth-file',
    values: 'auth-file|auth-map',
    summary: 'Layout of auth-secret: an htpasswd file under key `auth`, or one key per user.',
    status: 'supported',
    notes: 'auth-map: each key is a user name and its value the password hash.',
  }),
  a({
    key: 'auth-realm',
    group: 'auth-basic',
    scope: 'location',
    risk: 'Medium',
    def: '',
    values: 'text: letters, digits, spaces and - . _ ~ / :',
    summary: 'Realm shown in the WWW-Authenticate challenge.',
    status: 'supported',
    notes: 'When absent the challenge carries an empty realm (`Basic realm=""`).',
  }),
  a({
    key: 'satisfy',
    group: 'auth-basic',
    scope: 'location',
    risk: 'Low',
    def: null,
    values: 'all|any',
    summary: 'Whether a request must pass all access checks (IP lists, auth) or any one of them.',
    status: 'not-yet',
    notes: 'Absent means nginx\'s `all`.',
  }),

  // ---------------------------------------------------------------- auth-external
  a({
    key: 'auth-url',
    group: 'auth-external',
    scope: 'location',
    risk: 'High',
    def: null,
    values: 'http(s) URL',
    summary: 'Asks this URL before proxying; a 2xx answer lets the request through.',
    status: 'supported',
    notes:
      `401 and 403 from the auth service are returned to the client, a 401 with the auth service's WWW-Authenticate header (or a redirect to auth-signin when set); any other status becomes 500. The auth request is an nginx subrequest: a GET without body that carries all of the client's headers plus X-Original-URL, X-Original-Method, X-Auth-Request-Redirect, X-Sent-From, X-Real-IP, X-Forwarded-For and X-Request-ID, with Host set to the auth URL's host (nginx.tmpl). Set-Cookie from the auth answer is added to the final response. ${NGINX_VARS}`,
  }),
  a({
    key: 'auth-method',
    group: 'auth-external',
    scope: 'location',
    risk: 'Low',
    def: 'GET',
    values: 'GET|HEAD|POST|PUT|PATCH|DELETE|CONNECT|OPTIONS|TRACE',
    summary: 'HTTP method of the auth request.',
    status: 'supported',
    notes:
      'Without it the nginx subrequest is a GET and the original method travels in X-Original-Method. Quirk: only when auth-method is set does ingress-nginx also send X-Original-URI and X-Scheme. The validator regex was unanchored until v1.15 (#14504).',
  }),
  a({
    key: 'auth-signin',
    group: 'auth-external',
    scope: 'location',
    risk: 'High',
    def: null,
    values: 'URL',
    summary: 'Where to send the user when the auth service answers 401.',
    status: 'supported',
    notes:
      `The user gets a 302 to this URL with \`<param>=<scheme>://<host><escaped request URI>\` appended (the full original URL, not just the path), unless the URL already has that parameter (template.go buildAuthSignURL). ${NGINX_VARS}`,
  }),
  a({
    key: 'auth-signin-redirect-param',
    group: 'auth-external',
    scope: 'location',
    risk: 'Medium',
    def: 'rd',
    values: 'query parameter name',
    summary: 'Name of the query parameter that carries the original URL to auth-signin.',
    status: 'supported',
    notes: 'Same default as the ConfigMap global-auth-signin-redirect-param.',
  }),
  a({
    key: 'auth-response-headers',
    group: 'auth-external',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'comma-separated header names',
    summary: 'Headers copied from the auth answer into the request sent to the Service.',
    status: 'supported',
    notes:
      'They replace any header of the same name from the client, so a client cannot forge them; a header missing from the auth answer is not sent at all. Header names outside letters, digits, - and _ are refused.',
  }),
  a({
    key: 'auth-request-redirect',
    group: 'auth-external',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'URL',
    summary: 'Value of the X-Auth-Request-Redirect header sent to the auth service.',
    status: 'supported',
    notes: 'When absent the header carries the original request URI (nginx.tmpl).',
  }),
  a({
    key: 'auth-cache-key',
    group: 'auth-external',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'nginx variable expression, e.g. $remote_user$http_authorization',
    summary: 'Turns on caching of auth answers, keyed by this expression.',
    status: 'supported',
    notes: `The cache is per host and location. ${NGINX_VARS}`,
  }),
  a({
    key: 'auth-cache-duration',
    group: 'auth-external',
    scope: 'location',
    risk: 'Medium',
    def: '200 202 401 5m',
    values: 'comma-separated "<status codes…> <time>" entries, time units ms s m h d w M y',
    summary: 'How long auth answers are cached, by status code.',
    status: 'supported',
    notes: 'Only used with auth-cache-key. An invalid entry denies the location.',
  }),
  a({
    key: 'auth-keepalive',
    group: 'auth-external',
    scope: 'location',
    risk: 'Low',
    def: '0',
    values: 'integer connections; 0 = no keep-alive',
    summary: 'Idle keep-alive connections kept open to the auth service.',
    status: 'not-yet',
    notes:
      'Surprising upstream limit: ingress-nginx silently turns it off when the HTTP/2 listener is on (use-http2, the default) and when the auth URL host contains a variable (template.go shouldApplyAuthUpstream). sluice pools auth connections anyway.',
  }),
  a({
    key: 'auth-keepalive-requests',
    group: 'auth-external',
    scope: 'location',
    risk: 'Low',
    def: '1000',
    values: 'integer',
    summary: 'Requests served over one keep-alive connection to the auth service.',
    status: 'not-yet',
    notes: 'Only with auth-keepalive > 0; a value ≤ 0 disables keep-alive.',
  }),
  a({
    key: 'auth-keepalive-timeout',
    group: 'auth-external',
    scope: 'location',
    risk: 'Low',
    def: '60',
    values: 'integer seconds',
    summary: 'Idle time before a keep-alive connection to the auth service is closed.',
    status: 'not-yet',
    notes: 'Only with auth-keepalive > 0; a value ≤ 0 disables keep-alive.',
  }),
  a({
    key: 'auth-keepalive-share-vars',
    group: 'auth-external',
    scope: 'location',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Shares nginx variables between the request and the keep-alive auth subrequest.',
    status: 'never',
    notes: 'Never: it controls nginx variable sharing in the Lua subrequest path; sluice has no nginx variables, so there is nothing to share. Ignored with a warning.',
  }),
  a({
    key: 'auth-proxy-set-headers',
    group: 'auth-external',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'name of a ConfigMap in the Ingress namespace (header → value)',
    summary: 'Extra headers sent to the auth service.',
    status: 'not-yet',
    notes: `Header names are validated; an invalid one or a missing ConfigMap denies the location. This was the CVE-2025-15566 injection vector. ${NGINX_VARS}`,
  }),
  a({
    key: 'auth-always-set-cookie',
    group: 'auth-external',
    scope: 'location',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Passes Set-Cookie from the auth answer to the client whatever the final status.',
    status: 'not-yet',
    notes: 'By default the cookie is only set on 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 responses.',
  }),
  a({
    key: 'enable-global-auth',
    group: 'auth-external',
    scope: 'location',
    risk: 'Low',
    def: 'true',
    values: BOOL,
    summary: 'Set "false" to exempt the Ingress from the ConfigMap global-auth-url.',
    status: 'supported',
    notes: 'An Ingress with its own auth-url always uses that instead of the global one. Paths in no-auth-locations are exempt anyway.',
  }),

  // ---------------------------------------------------------------- auth-mtls
  a({
    key: 'auth-tls-secret',
    group: 'auth-mtls',
    scope: 'location',
    hostWide: true,
    risk: 'Medium',
    def: null,
    values: 'namespace/name of a Secret with ca.crt (optionally ca.crl)',
    summary: 'Requires TLS client certificates signed by this CA.',
    status: 'not-yet',
    notes:
      'The risk table says location, but nginx applies it per host (ssl_client_certificate in the server block): it cannot differ between paths. A broken Secret makes ingress-nginx answer 403 for the whole host. Sends ssl-client-verify, ssl-client-subject-dn and ssl-client-issuer-dn to the Service.',
  }),
  a({
    key: 'auth-tls-verify-client',
    group: 'auth-mtls',
    scope: 'location',
    hostWide: true,
    risk: 'Medium',
    def: 'on',
    values: 'on|off|optional|optional_no_ca',
    summary: 'How strictly client certificates are required and checked.',
    status: 'not-yet',
    notes: '`on` answers 400 on a failed check; `optional` lets requests without a certificate through; `optional_no_ca` passes even unverifiable ones and leaves the verdict to the Service.',
  }),
  a({
    key: 'auth-tls-verify-depth',
    group: 'auth-mtls',
    scope: 'location',
    hostWide: true,
    risk: 'Low',
    def: '1',
    values: 'integer',
    summary: 'Maximum client certificate chain depth.',
    status: 'not-yet',
    notes: '0 is treated as the default 1.',
  }),
  a({
    key: 'auth-tls-error-page',
    group: 'auth-mtls',
    scope: 'location',
    risk: 'High',
    def: null,
    values: 'URL or path (named location since v1.14)',
    summary: 'Where to redirect clients whose certificate check failed.',
    status: 'not-yet',
    notes: 'Used for nginx\'s 495/496 errors.',
  }),
  a({
    key: 'auth-tls-pass-certificate-to-upstream',
    group: 'auth-mtls',
    scope: 'location',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Sends the client certificate (URL-escaped PEM) to the Service in the ssl-client-cert header.',
    status: 'not-yet',
    notes: 'Comes with auth-tls-secret; the certificate is sent URL-escaped, as nginx $ssl_client_escaped_cert.',
  }),
  a({
    key: 'auth-tls-match-cn',
    group: 'auth-mtls',
    scope: 'location',
    risk: 'High',
    def: null,
    values: 'regex starting with CN=, e.g. CN=(a|b)',
    summary: 'Rejects (403) client certificates whose subject does not match.',
    status: 'not-yet',
    notes: 'CVE-2025-1097 was a config injection through this value. Needs RE2 semantics in sluice.',
  }),

  // ---------------------------------------------------------------- cors
  a({
    key: 'enable-cors',
    group: 'cors',
    scope: 'ingress',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Adds CORS response headers and answers preflight requests.',
    status: 'supported',
    notes: 'ingress-nginx answers OPTIONS requests from an allowed origin itself, with 204 and the CORS headers (they never reach the pod), and adds Allow-Origin, Allow-Credentials and Expose-Headers to other responses.',
  }),
  a({
    key: 'cors-allow-origin',
    group: 'cors',
    scope: 'ingress',
    risk: 'Medium',
    def: '*',
    values: '* or comma-separated origins http(s)://host[:port]; one leading *. label allowed',
    summary: 'Origins allowed to make cross-origin requests.',
    status: 'supported',
    notes:
      'With `*` ingress-nginx sends a literal `*` even when credentials are allowed (so browsers refuse credentialed requests); with a list it echoes the request Origin when it matches, case-insensitively, and the `*.` wildcard covers exactly one label (template.go buildCorsOriginRegex). Entries without a scheme pass the validator but are dropped by the parser (cors/main.go).',
  }),
  a({
    key: 'cors-allow-methods',
    group: 'cors',
    scope: 'ingress',
    risk: 'Medium',
    def: 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
    values: 'comma-separated method names (letters only)',
    summary: 'Methods listed in Access-Control-Allow-Methods on preflight answers.',
    status: 'supported',
    notes: 'An invalid value falls back to the default in ingress-nginx.',
  }),
  a({
    key: 'cors-allow-headers',
    group: 'cors',
    scope: 'ingress',
    risk: 'Medium',
    def: 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization',
    values: 'comma-separated header names (letters, digits, - and _)',
    summary: 'Headers listed in Access-Control-Allow-Headers on preflight answers.',
    status: 'supported',
    notes: 'An invalid value falls back to the default in ingress-nginx.',
  }),
  a({
    key: 'cors-expose-headers',
    group: 'cors',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'comma-separated header names, or *',
    summary: 'Headers listed in Access-Control-Expose-Headers.',
    status: 'supported',
    notes: 'Not sent when empty.',
  }),
  a({
    key: 'cors-allow-credentials',
    group: 'cors',
    scope: 'ingress',
    risk: 'Low',
    def: 'true',
    values: BOOL,
    summary: 'Sends Access-Control-Allow-Credentials: true.',
    status: 'supported',
    notes: 'The header is omitted when false.',
  }),
  a({
    key: 'cors-max-age',
    group: 'cors',
    scope: 'ingress',
    risk: 'Low',
    def: '1728000',
    values: 'integer seconds',
    summary: 'How long browsers may cache a preflight answer.',
    status: 'supported',
    notes: 'Sent on preflight answers only.',
  }),

  // ---------------------------------------------------------------- affinity
  a({
    key: 'affinity',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Low',
    def: null,
    values: 'cookie',
    summary: 'Turns on sticky sessions.',
    status: 'supported',
    notes:
      'Only paths of the Ingress that carries it are sticky, even when other Ingresses share the host. The cookie is HttpOnly, gets Secure when the request came over HTTPS, and its Path defaults to the Ingress path (balancer/sticky.lua).',
  }),
  a({
    key: 'affinity-mode',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Medium',
    def: 'balanced',
    values: 'balanced|persistent',
    summary: '`balanced` moves some sessions when pods are added; `persistent` never moves them.',
    status: 'supported',
    notes: 'Any other value falls back to balanced with a warning in ingress-nginx (balancer/sticky.lua).',
  }),
  a({
    key: 'affinity-canary-behavior',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Low',
    def: 'sticky',
    values: 'sticky|legacy',
    summary: 'Whether users once sent to a canary keep going there.',
    status: 'not-yet',
    notes: 'Waits for canary support.',
  }),
  a({
    key: 'session-cookie-name',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Medium',
    def: 'INGRESSCOOKIE',
    values: 'cookie name (letters, digits and - . _ ~)',
    summary: 'Name of the affinity cookie.',
    status: 'supported',
    notes: 'The Lua balancer on its own would call the cookie "route"; the parser always supplies INGRESSCOOKIE.',
  }),
  a({
    key: 'session-cookie-path',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'URL path',
    summary: 'Path attribute of the affinity cookie.',
    status: 'supported',
    notes: 'Defaults to the Ingress path. Required with use-regex, because a regex is not a valid cookie path.',
  }),
  a({
    key: 'session-cookie-domain',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'domain',
    summary: 'Domain attribute of the affinity cookie.',
    status: 'supported',
    notes: 'No Domain attribute when absent, so the cookie is host-only.',
  }),
  a({
    key: 'session-cookie-expires',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'integer seconds',
    summary: 'Sets Expires to now plus this many seconds (for old browsers).',
    status: 'supported',
    notes: 'Without expires or max-age the cookie lasts for the browser session.',
  }),
  a({
    key: 'session-cookie-max-age',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'integer seconds',
    summary: 'Max-Age attribute of the affinity cookie.',
    status: 'supported',
    notes: 'Takes precedence over Expires in browsers that understand both.',
  }),
  a({
    key: 'session-cookie-samesite',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Low',
    def: null,
    values: 'None|Lax|Strict (case-insensitive)',
    summary: 'SameSite attribute of the affinity cookie.',
    status: 'supported',
    notes: 'Omitted when absent.',
  }),
  a({
    key: 'session-cookie-conditional-samesite-none',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Leaves out SameSite=None for browsers known to mishandle it.',
    status: 'supported',
    notes: 'Decided from the User-Agent, as ingress-nginx does.',
  }),
  a({
    key: 'session-cookie-secure',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Forces the Secure attribute even on plain-HTTP requests.',
    status: 'supported',
    notes: 'Secure is set anyway when the request came over HTTPS.',
  }),
  a({
    key: 'session-cookie-partitioned',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Adds the Partitioned attribute (CHIPS) to the affinity cookie.',
    status: 'not-yet',
    notes: 'A recent addition upstream; trivial once affinity cookies exist.',
  }),
  a({
    key: 'session-cookie-change-on-failure',
    group: 'affinity',
    scope: 'ingress',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'When the sticky pod fails, points the cookie at the pod that answered instead.',
    status: 'supported',
    notes: 'When false the cookie keeps pointing at the original pod after a retry elsewhere.',
  }),
  a({
    key: 'load-balance',
    group: 'affinity',
    scope: 'location',
    risk: 'Low',
    def: 'round_robin',
    cm: 'load-balance',
    values: 'round_robin|ewma',
    summary: 'Balancing algorithm across the pods.',
    status: 'not-yet',
    notes: 'upstream-hash-by takes precedence. The parser also accepts the internal names chash, chashsubset, sticky_balanced and sticky_persistent.',
  }),
  a({
    key: 'upstream-hash-by',
    group: 'affinity',
    scope: 'location',
    risk: 'High',
    def: null,
    values: 'nginx variable expression, e.g. $request_uri or ${remote_addr}-x',
    summary: 'Consistent hashing (ketama) of requests to pods by this key.',
    status: 'not-yet',
    notes: NGINX_VARS,
  }),
  a({
    key: 'upstream-hash-by-subset',
    group: 'affinity',
    scope: 'location',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Hashes to a group of pods and picks one of them at random.',
    status: 'not-yet',
    notes: 'Comes with upstream-hash-by.',
  }),
  a({
    key: 'upstream-hash-by-subset-size',
    group: 'affinity',
    scope: 'location',
    risk: 'Low',
    def: '3',
    values: 'integer',
    summary: 'Size of each group for upstream-hash-by-subset.',
    status: 'not-yet',
    notes: 'Comes with upstream-hash-by-subset.',
  }),

  // ---------------------------------------------------------------- canary
  a({
    key: 'canary',
    group: 'canary',
    scope: 'ingress',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Makes this Ingress an alternative backend for the same host and path of another Ingress.',
    status: 'not-yet',
    notes:
      'Rules are tried header, then cookie, then weight. At most one canary per host and path. A canary Ingress inherits every other annotation from the main one except load-balance, upstream-hash-by and the affinity keys. canary-* keys without canary: "true" are a parser error in ingress-nginx (canary/main.go); the canary settings are then dropped and the Ingress is served as an ordinary one.',
  }),
  a({
    key: 'canary-by-header',
    group: 'canary',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'header name',
    summary: 'Request header that forces the canary: value `always` sends to it, `never` keeps away.',
    status: 'not-yet',
    notes: 'Any other value falls through to the cookie and weight rules.',
  }),
  a({
    key: 'canary-by-header-value',
    group: 'canary',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'exact header value',
    summary: 'Custom value of canary-by-header that selects the canary.',
    status: 'not-yet',
    notes: 'Needs canary-by-header.',
  }),
  a({
    key: 'canary-by-header-pattern',
    group: 'canary',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'regular expression',
    summary: 'Like canary-by-header-value but matched as a regex.',
    status: 'not-yet',
    notes: 'Ignored when canary-by-header-value is set; a regex error counts as no match. ingress-nginx uses PCRE; sluice would use RE2.',
  }),
  a({
    key: 'canary-by-cookie',
    group: 'canary',
    scope: 'ingress',
    risk: 'Medium',
    def: null,
    values: 'cookie name',
    summary: 'Cookie that forces the canary: `always` or `never`.',
    status: 'not-yet',
    notes: 'Comes with canary support; checked after the header rules and before the weight.',
  }),
  a({
    key: 'canary-weight',
    group: 'canary',
    scope: 'ingress',
    risk: 'Low',
    def: '0',
    values: 'integer 0…canary-weight-total',
    summary: 'Share of random requests sent to the canary.',
    status: 'not-yet',
    notes: 'Comes with canary support; 0 sends nothing by weight, the total sends everything.',
  }),
  a({
    key: 'canary-weight-total',
    group: 'canary',
    scope: 'ingress',
    risk: 'Low',
    def: '100',
    values: 'integer',
    summary: 'Total that canary-weight is a share of.',
    status: 'not-yet',
    notes: 'Comes with canary support.',
  }),

  // ---------------------------------------------------------------- errors
  a({
    key: 'default-backend',
    group: 'errors',
    scope: 'location',
    risk: 'Low',
    def: null,
    values: 'Service name in the Ingress namespace',
    summary: 'Service that answers when the path\'s Service has no endpoints, and serves custom-http-errors.',
    status: 'supported',
    notes:
      'When the path\'s Service has no endpoints (or does not exist), ingress-nginx sends the request to this Service instead, on its first port, as long as that Service has endpoints (controller.go `custom-default-backend-*` upstream), with X-Code 503, X-Format, X-Namespace, X-Ingress-Name, X-Service-Name and X-Service-Port; the path is unchanged (e2e default_backend.go). It is also where custom-http-errors go. sluice decides per request from the live endpoints. A Service that does not exist (or has no ports) is reported as a warning and the annotation waits for it; a value that is not a Service name is invalid.',
  }),
  a({
    key: 'custom-http-errors',
    group: 'errors',
    scope: 'location',
    risk: 'Low',
    def: null,
    cm: 'custom-http-errors',
    values: 'comma-separated status codes',
    summary: 'Responses with these statuses are replaced by a request to the default backend.',
    status: 'supported',
    notes:
      'Listed statuses (400-599) are intercepted (`proxy_intercept_errors on` + `error_page <code> = @custom_<upstream>_<code>`): from the upstream, and also those nginx generates itself (502/504 after upstream failures, 503 without endpoints, a location\'s own 401/403/308...). The request is then sent again to the default-backend annotation\'s Service while it has endpoints, else to --default-backend-service, else to ingress-nginx\'s built-in default server, which answers 404. The error backend gets the same method (and request body) for `/` plus the original query (`rewrite (.*) / break`), the client\'s headers, Host, and X-Code, X-Format ($http_accept), X-Original-URI, X-Namespace, X-Ingress-Name, X-Service-Name, X-Service-Port, X-Request-ID and X-Forwarded-For (nginx.tmpl CUSTOM_ERRORS). The client gets the error backend\'s response, status included (e2e disableproxyintercepterrors.go expects 200 from an echo backend). The ConfigMap list applies to paths without the annotation; the annotation replaces it. sluice does all this. Differences: the request body is resent from sluice\'s retry buffer (64 KiB), so with a larger request body the original answer goes out; a 413 for a body over proxy-body-size is answered before the annotations run and is not intercepted.',
  }),
  a({
    key: 'disable-proxy-intercept-errors',
    group: 'errors',
    scope: 'location',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Passes error responses from the pod through even when custom-http-errors is set globally.',
    status: 'supported',
    notes:
      'Turns interception off for the Ingress\'s paths, whether the status list comes from the annotation or the ConfigMap: the upstream\'s error response reaches the client unchanged (e2e disableproxyintercepterrors.go).',
  }),

  // ---------------------------------------------------------------- headers
  a({
    key: 'custom-headers',
    group: 'headers',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'namespace/name of a ConfigMap (header → value)',
    summary: 'Adds the headers of a ConfigMap to responses.',
    status: 'not-yet',
    notes: 'Header names must also be listed in the ConfigMap global-allowed-response-headers.',
  }),
  a({
    key: 'http2-push-preload',
    group: 'headers',
    scope: 'location',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Turned Link preload headers into HTTP/2 server push.',
    status: 'never',
    notes:
      'Never: nginx removed HTTP/2 server push in 1.25.1 and the directive is ignored in the nginx that ingress-nginx v1.15 ships; browsers dropped push too. The annotation is a no-op upstream, so sluice accepts and ignores it with a warning.',
  }),

  // ---------------------------------------------------------------- observability
  a({
    key: 'enable-access-log',
    group: 'observability',
    scope: 'location',
    risk: 'Low',
    def: 'true',
    values: BOOL,
    summary: 'Set "false" to stop access logging for the path.',
    status: 'not-yet',
    notes: 'Needs a per-route flag in the access logger; small.',
  }),
  a({
    key: 'enable-rewrite-log',
    group: 'observability',
    scope: 'location',
    risk: 'Low',
    def: 'false',
    values: BOOL,
    summary: 'Logs how rewrites are applied (nginx rewrite_log, at notice level).',
    status: 'not-yet',
    notes: 'Would log sluice\'s rewrite decision for each request on the path.',
  }),
  a({
    key: 'enable-opentelemetry',
    group: 'observability',
    scope: 'location',
    risk: 'Low',
    def: 'false',
    cm: 'enable-opentelemetry',
    values: BOOL,
    summary: 'Turns OpenTelemetry tracing on or off for the path.',
    status: 'not-yet',
    notes: 'The collector is configured in the ConfigMap (otlp-collector-host …).',
  }),
  a({
    key: 'opentelemetry-trust-incoming-span',
    group: 'observability',
    scope: 'location',
    risk: 'Low',
    def: 'true',
    cm: 'opentelemetry-trust-incoming-span',
    values: BOOL,
    summary: 'Uses the incoming trace context as parent of the proxy span.',
    status: 'not-yet',
    notes: 'Comes with OpenTelemetry support (W3C traceparent handling).',
  }),
  a({
    key: 'opentelemetry-operation-name',
    group: 'observability',
    scope: 'location',
    risk: 'Medium',
    def: null,
    cm: 'opentelemetry-operation-name',
    values: 'letters, digits, _ and -',
    summary: 'Name of the span created for the path.',
    status: 'not-yet',
    notes: 'Comes with OpenTelemetry support.',
  }),

  // ---------------------------------------------------------------- mirror
  a({
    key: 'mirror-target',
    group: 'mirror',
    scope: 'ingress',
    risk: 'High',
    def: null,
    values: 'URL, may end with a variable such as $request_uri',
    summary: 'Sends a copy of each request to this URL and ignores the answer.',
    status: 'not-yet',
    notes: `A slow mirror delays the main request in nginx. CVE-2025-1098 was a config injection through this value. ${NGINX_VARS}`,
  }),
  a({
    key: 'mirror-host',
    group: 'mirror',
    scope: 'ingress',
    risk: 'High',
    def: null,
    values: 'host name',
    summary: 'Host header of the mirrored request.',
    status: 'not-yet',
    notes: 'Defaults to the host of mirror-target (mirror/main.go).',
  }),
  a({
    key: 'mirror-request-body',
    group: 'mirror',
    scope: 'ingress',
    risk: 'Low',
    def: 'on',
    values: 'on|off',
    summary: 'Whether the mirrored request carries the body.',
    status: 'not-yet',
    notes: 'Any value other than "off" means on.',
  }),

  // ---------------------------------------------------------------- modsecurity
  a({
    key: 'enable-modsecurity',
    group: 'modsecurity',
    scope: 'ingress',
    risk: 'Low',
    def: 'false',
    cm: 'enable-modsecurity',
    values: BOOL,
    summary: 'Runs the ModSecurity WAF on the Ingress (detection-only configuration by default).',
    status: 'not-yet',
    notes: 'Would need an embedded SecLang engine (for example Coraza compiled to WebAssembly); a large piece of work.',
  }),
  a({
    key: 'enable-owasp-core-rules',
    group: 'modsecurity',
    scope: 'ingress',
    risk: 'Low',
    def: 'false',
    cm: 'enable-owasp-modsecurity-crs',
    values: BOOL,
    summary: 'Loads the OWASP Core Rule Set into ModSecurity.',
    status: 'not-yet',
    notes: 'Note the ConfigMap key has a different name. Depends on enable-modsecurity.',
  }),
  a({
    key: 'modsecurity-transaction-id',
    group: 'modsecurity',
    scope: 'ingress',
    risk: 'High',
    def: null,
    values: 'nginx variable expression, e.g. $request_id',
    summary: 'Transaction ID given to ModSecurity.',
    status: 'not-yet',
    notes: 'Depends on enable-modsecurity.',
  }),

  // ---------------------------------------------------------------- fastcgi
  a({
    key: 'fastcgi-index',
    group: 'fastcgi',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'file name, e.g. index.php',
    summary: 'FastCGI index file (nginx fastcgi_index).',
    status: 'not-yet',
    notes: 'Only with backend-protocol FCGI, which sluice does not speak yet.',
  }),
  a({
    key: 'fastcgi-params-configmap',
    group: 'fastcgi',
    scope: 'location',
    risk: 'Medium',
    def: null,
    values: 'ConfigMap name (parameter → value)',
    summary: 'FastCGI parameters sent to the application.',
    status: 'not-yet',
    notes: 'Only with backend-protocol FCGI.',
  }),

  // ---------------------------------------------------------------- snippets
  a({
    key: 'configuration-snippet',
    group: 'snippets',
    scope: 'location',
    risk: 'Critical',
    def: null,
    values: 'raw nginx directives',
    summary: 'nginx directives added to each location of the Ingress.',
    status: 'never',
    notes: `${SNIPPET_NEVER} Upstream it is off unless allow-snippet-annotations is "true" (default false since v1.9) and, since v1.12, refused by the default risk level.`,
  }),
  a({
    key: 'server-snippet',
    group: 'snippets',
    scope: 'ingress',
    hostWide: true,
    risk: 'Critical',
    def: null,
    values: 'raw nginx directives',
    summary: 'nginx directives added to the server block of the host (once per host).',
    status: 'never',
    notes: SNIPPET_NEVER,
  }),
  a({
    key: 'auth-snippet',
    group: 'snippets',
    scope: 'location',
    risk: 'Critical',
    def: null,
    values: 'raw nginx directives',
    summary: 'nginx directives added to the auth-url subrequest location.',
    status: 'never',
    notes: `${SNIPPET_NEVER} Upstream it is ignored anyway unless auth-url is set.`,
  }),
  a({
    key: 'stream-snippet',
    group: 'snippets',
    scope: 'ingress',
    risk: 'Critical',
    def: null,
    values: 'raw nginx directives',
    summary: 'nginx directives added to the TCP/UDP stream block.',
    status: 'never',
    notes: SNIPPET_NEVER,
  }),
  a({
    key: 'modsecurity-snippet',
    group: 'snippets',
    scope: 'ingress',
    risk: 'Critical',
    def: null,
    values: 'raw ModSecurity rules',
    summary: 'ModSecurity rules added for the Ingress.',
    status: 'never',
    notes: `${SNIPPET_NEVER} When set upstream it replaces enable-owasp-core-rules.`,
  }),
];

/** Annotations that older ingress-nginx versions read and v1.15 no longer does. Kept apart from the catalogue: they are not counted and never take effect, but naming them lets sluice say "removed upstream" instead of "unknown". */
export interface RemovedAnnotation {
  readonly key: string;
  /** When ingress-nginx removed it. */
  readonly removed: string;
  /** What replaced it, or why it went. */
  readonly replacement: string;
}

export const REMOVED_ANNOTATIONS: readonly RemovedAnnotation[] = Object.freeze(
  [
    ...['global-rate-limit', 'global-rate-limit-window', 'global-rate-limit-key', 'global-rate-limit-ignored-cidrs'].map((key) => ({
      key,
      removed: 'v1.12.0 (#11851)',
      replacement: 'The Memcached-backed global rate limiter was dropped; use limit-rps / limit-rpm (per replica).',
    })),
    ...['enable-opentracing', 'opentracing-trust-incoming-span'].map((key) => ({
      key,
      removed: 'v1.10.0',
      replacement: 'OpenTracing and Zipkin modules were dropped; use enable-opentelemetry / opentelemetry-trust-incoming-span.',
    })),
    ...['enable-influxdb', 'influxdb-measurement', 'influxdb-port', 'influxdb-host', 'influxdb-server-name'].map((key) => ({
      key,
      removed: '2023 (#9861)',
      replacement: 'The InfluxDB module was dropped; scrape the Prometheus metrics instead.',
    })),
    { key: 'secure-backends', removed: 'before v1.0', replacement: 'backend-protocol: "HTTPS".' },
    { key: 'grpc-backend', removed: 'before v1.0', replacement: 'backend-protocol: "GRPC".' },
  ].map((r) => Object.freeze(r)),
);

// ---------------------------------------------------------------- indexes and helpers

/** Every catalogued annotation, in catalogue order (grouped). */
export const ANNOTATIONS: readonly AnnotationSpec[] = Object.freeze([...ENTRIES]);

const byName = new Map<string, AnnotationSpec>();
for (const spec of ANNOTATIONS) {
  for (const name of [spec.key, ...spec.aliases]) {
    if (byName.has(name)) throw new Error(`annotation catalogue: duplicate key or alias ${name}`);
    byName.set(name, spec);
  }
}

const removedByName = new Map(REMOVED_ANNOTATIONS.map((r) => [r.key, r]));

/** Every key suffix sluice recognises, primary keys and aliases (removed keys not included). */
export const KNOWN_ANNOTATION_KEYS: ReadonlySet<string> = new Set(byName.keys());

/** The entry for a key suffix or alias; also accepts a full `<prefix>/<key>` name. */
export function annotationInfo(name: string): AnnotationSpec | undefined {
  const slash = name.lastIndexOf('/');
  return byName.get(slash >= 0 ? name.slice(slash + 1) : name);
}

/** The primary key for a key or alias (`whitelist-source-range` → `allowlist-source-range`). */
export function canonicalAnnotationKey(name: string): string | undefined {
  return annotationInfo(name)?.key;
}

/** Removed-upstream information for a key suffix or full name, if ingress-nginx once had it. */
export function removedAnnotationInfo(name: string): RemovedAnnotation | undefined {
  const slash = name.lastIndexOf('/');
  return removedByName.get(slash >= 0 ? name.slice(slash + 1) : name);
}

/** Number of primary keys per status. */
export function statusCounts(): Record<AnnotationStatus, number> {
  const out: Record<AnnotationStatus, number> = { supported: 0, partial: 0, 'not-yet': 0, never: 0 };
  for (const s of ANNOTATIONS) out[s.status]++;
  return out;
}

/** The JSON form served at /debug/annotations: one object per primary key, sorted by key, fixed field order. */
export interface AnnotationJson {
  key: string;
  aliases: string[];
  group: AnnotationGroup;
  scope: AnnotationScope;
  hostWide: boolean;
  risk: AnnotationRisk;
  inRiskTable: boolean;
  nginxDefault: string | null;
  configMapKey: string | null;
  valueForm: string;
  summary: string;
  status: AnnotationStatus;
  notes: string;
}

export function catalogueAsJson(): AnnotationJson[] {
  return [...ANNOTATIONS]
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    .map((s) => ({
      key: s.key,
      aliases: [...s.aliases],
      group: s.group,
      scope: s.scope,
      hostWide: s.hostWide,
      risk: s.risk,
      inRiskTable: s.inRiskTable,
      nginxDefault: s.nginxDefault,
      configMapKey: s.configMapKey,
      valueForm: s.valueForm,
      summary: s.summary,
      status: s.status,
      notes: s.notes,
    }));
}
