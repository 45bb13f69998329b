// default-backend and custom-http-errors.
//
// default-backend: when the route's Service has no endpoints (or does not exist), ingress-nginx
// sends the request to the annotation's Service instead (its `custom-default-backend-*`
// upstream, only while that Service has endpoints), with X-Code 503, X-Format, X-Namespace,
// X-Ingress-Name, X-Service-Name and X-Service-Port (nginx.tmpl).
//
// custom-http-errors: listed upstream statuses are intercepted (proxy_intercept_errors) and the
// request is re-sent to `@custom_<upstream>_<code>`: the annotation's default backend while it
// has endpoints, else the controller's --default-backend-service, else ingress-nginx's built-in
// default server (which answers 404). The connection does the second exchange (see
// Http1Connection.intercepted); the client gets that backend's response, status included
// (`error_page <code> = @custom...`). nginx applies error_page to answers it generates too
// (502/504 after upstream failures, 503 without endpoints, 401/403 of access checks), and so does
// sluice.

import { CONTINUE } from '../request-view.ts';
import type { Step, StepFactory } from '../pipeline.ts';
import type { Target } from '../../router.ts';
import type { BackendRuntime } from '../../upstream/backends.ts';

interface DefaultBackendState {
  backend: BackendRuntime;
  headers: string;
}

interface ErrorState {
  codes: readonly number[];
  custom: BackendRuntime | null;
  controller: BackendRuntime | null;
}

const useDefaultBackend: Step = (req, t, d) => {
  if (t.backend !== null && t.backend.endpoints.length > 0) return CONTINUE;
  const st = t.state.get('default-backend') as DefaultBackendState;
  if (st.backend.endpoints.length === 0) return CONTINUE;
  d.backend = st.backend;
  const accept = req.header('accept');
  d.addHeaders += accept !== null && accept !== '' ? `${st.headers}X-Format: ${accept}\r\n` : st.headers;
  return CONTINUE;
};

export const defaultBackendStep: StepFactory = (t: Target) => {
  const key = t.policy.errors.backend;
  if (key === null || t.policy.denied !== null) return null;
  const backend = t.registry.lookup(key, t.policy.protocol);
  if (backend === undefined) return null;
  const headers =
    'X-Code: 503\r\n' +
    (t.namespace !== '' ? `X-Namespace: ${t.namespace}\r\n` : '') +
    (t.ingress !== '' ? `X-Ingress-Name: ${t.ingress}\r\n` : '') +
    (t.service !== '' ? `X-Service-Name: ${t.service}\r\n` : '') +
    (t.servicePort !== '' ? `X-Service-Port: ${t.servicePort}\r\n` : '');
  t.state.set('default-backend', { backend, headers } satisfies DefaultBackendState);
  return useDefaultBackend;
};

const interceptErrors: Step = (_req, t, d) => {
  const st = t.state.get('custom-http-errors') as ErrorState;
  d.intercept = st.codes;
  d.errorBackend = st.custom !== null && st.custom.endpoints.length > 0 ? st.custom : st.controller;
  return CONTINUE;
};

export const customErrorsStep: StepFactory = (t: Target) => {
  const e = t.policy.errors;
  if (e.codes.length === 0 || t.policy.denied !== null) return null;
  const custom = e.backend !== null ? (t.registry.lookup(e.backend, 'HTTP') ?? null) : null;
  const db = t.server.defaultBackend;
  const controller = db !== null ? (t.registry.lookup(db, 'HTTP') ?? null) : null;
  t.state.set('custom-http-errors', { codes: e.codes, custom, controller } satisfies ErrorState);
  return interceptErrors;
};
