// Kubernetes `Status` objects: the body of every failed request and of watch ERROR events.
// Messages, reasons and details follow the real API server so error handling written
// against the fake holds against a cluster.

import type { ResourceType } from './resources.ts';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** A request failure carrying the Status to send. */
export class ApiError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.status = status;
  }
}

function failure(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new ApiError(status);
}

/** 'services' or 'ingresses.networking.k8s.io', as the API names a resource in messages. */
function qualified(rt: ResourceType): string {
  return rt.group === '' ? rt.plural : `${rt.plural}.${rt.group}`;
}

function details(rt: ResourceType, name: string): NonNullable<Status['details']> {
  const d: NonNullable<Status['details']> = { name, kind: rt.plural };
  if (rt.group !== '') d.group = rt.group;
  return d;
}

export function successStatus(rt: ResourceType, name: string, uid?: string): Status {
  const d = details(rt, name);
  if (uid) d.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d, code: 200 };
}

export const errors = {
  notFound: (rt: ResourceType, name: string) =>
    failure(404, 'NotFound', `${qualified(rt)} "${name}" not found`, details(rt, name)),
  namespaceNotFound: (ns: string) =>
    failure(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' }),
  noRoute: () => failure(404, 'NotFound', 'the server could not find the requested resource', {}),
  alreadyExists: (rt: ResourceType, name: string) =>
    failure(409, 'AlreadyExists', `${qualified(rt)} "${name}" already exists`, details(rt, name)),
  conflict: (rt: ResourceType, name: string) =>
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(rt)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      details(rt, name),
    ),
  preconditionFailed: (rt: ResourceType, name: string, what: string) =>
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(rt)} "${name}": ${what}`, details(rt, name)),
  invalid: (rt: ResourceType, name: string, causes: StatusCause[]) =>
    failure(
      422,
      'Invalid',
      `${rt.kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
      { ...details(rt, name), kind: rt.kind, causes },
    ),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  /** A well-formed request that cannot be applied (e.g. a JSON patch op on a missing path). */
  unprocessable: (message: string) => failure(422, 'Invalid', message),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  methodNotAllowed: (method: string) =>
    failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`, {}),
  notAcceptable: () => failure(406, 'NotAcceptable', 'only application/json responses are served by the fake API server'),
  unsupportedMediaType: (type: string) =>
    failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json (got ${type})`),
  tooLarge: () => failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'),
  /** A resourceVersion older than the retained history (etcd compaction). */
  expired: (requested: string, oldest: number) =>
    failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`),
  continueExpired: () =>
    failure(
      410,
      'Expired',
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    ),
  tooLargeResourceVersion: (requested: string, current: number) =>
    failure(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    }),
  /** What faults.failNext() answers with. */
  injected: (code: number) => {
    const reasons: Record<number, string> = {
      429: 'TooManyRequests',
      500: 'InternalError',
      503: 'ServiceUnavailable',
      504: 'Timeout',
    };
    const reason = reasons[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
    return failure(code, reason, `injected fault: ${reason} (${code})`, code === 429 ? { retryAfterSeconds: 1 } : undefined);
  },
  internal: (message: string) => failure(500, 'InternalError', `Internal error occurred: ${message}`),
};
