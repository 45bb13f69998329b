// Request-body checks the real API makes before a write: type metadata matching the URL,
// name formats, string-valued labels/annotations, and MicroTime fields' exact format.
// Other type-specific schema validation is out of scope for the fake.

import { apiVersionOf, type ResourceType } from './resources.ts';
import { errors, type StatusCause } from './status.ts';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** The body's apiVersion/kind, when present, must be the URL's. */
export function checkTypeMeta(rt: ResourceType, body: Record<string, unknown>): void {
  const expected = apiVersionOf(rt);
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${expected})`);
  }
  if (body.kind !== undefined && body.kind !== rt.kind) {
    throw errors.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${rt.kind})`);
  }
}

function nameProblem(rt: ResourceType, name: string): string | undefined {
  if (rt.plural === 'services') {
    if (name.length > 63 || !DNS1035_LABEL.test(name)) {
      return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    }
  } else if (rt.plural === 'namespaces') {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    }
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Checks the metadata of an object about to be stored; throws 422 Invalid listing every problem. */
export function validateMeta(rt: ResourceType, meta: Record<string, unknown>): void {
  const name = typeof meta.name === 'string' ? meta.name : '';
  const causes: StatusCause[] = [];
  if (name === '') {
    causes.push({ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' });
  } else {
    const problem = nameProblem(rt, name);
    if (problem) causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": ${problem}` });
  }
  for (const field of ['labels', 'annotations'] as const) {
    const map = meta[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map)) {
      causes.push({ reason: 'FieldValueInvalid', field: `metadata.${field}`, message: 'Invalid value: must be a map of strings' });
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string') {
        causes.push({ reason: 'FieldValueInvalid', field: `metadata.${field}[${k}]`, message: 'Invalid value: must be a string' });
      }
    }
  }
  if (causes.length > 0) throw errors.invalid(rt, name, causes);
}

// MicroTime fields (stored shape). The real decoder parses them with Go's layout
// "2006-01-02T15:04:05.000000Z07:00", which demands exactly six fractional digits: a JS
// Date serialised by toISOString() (three digits) is rejected with a 400.
const MICRO_TIME_FIELDS: Record<string, string[][]> = {
  'leases.coordination.k8s.io': [['spec', 'acquireTime'], ['spec', 'renewTime']],
  events: [['eventTime'], ['series', 'lastObservedTime']],
};
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

export function checkMicroTimes(bucket: string, obj: Record<string, unknown>, kind: string): void {
  for (const path of MICRO_TIME_FIELDS[bucket] ?? []) {
    let v: unknown = obj;
    for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || !MICRO_TIME.test(v)) {
      throw errors.badRequest(
        `${kind} in version "v1" cannot be handled as a ${kind}: parsing time ${JSON.stringify(String(v))} as "2006-01-02T15:04:05.000000Z07:00": cannot parse as RFC3339 with microseconds (${path.join('.')})`,
      );
    }
  }
}
