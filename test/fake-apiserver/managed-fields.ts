// metadata.managedFields bookkeeping. The real API server tracks field ownership per
// manager; this keeps one entry per (manager, operation, subresource) with an approximate
// FieldsV1 tree, enough that objects read back carry managedFields as from a cluster (the
// controller must strip them before diffing or caching).

type Rec = Record<string, unknown>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Update' | 'Apply';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Rec;
  subresource?: string;
}

const SERVER_OWNED_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName', 'selfLink']);

/** The API's timestamp format: RFC 3339, whole seconds, UTC. */
export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function fieldsOf(value: unknown): Rec {
  if (Array.isArray(value)) {
    // Real FieldsV1 keys list items by merge key (k:{...}) or value (v:...); index keys are
    // close enough for a fake and keep the tree finite.
    const out: Rec = {};
    value.forEach((item, i) => (out[`i:${i}`] = item && typeof item === 'object' ? { '.': {}, ...fieldsOf(item) } : {}));
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Rec = {};
    for (const [k, v] of Object.entries(value)) out[`f:${k}`] = fieldsOf(v);
    return out;
  }
  return {};
}

function fieldsV1For(obj: Rec, subresource: string | undefined): Rec {
  if (subresource === 'status') return { 'f:status': fieldsOf(obj.status) };
  const out: Rec = {};
  const meta = (obj.metadata ?? {}) as Rec;
  const metaFields: Rec = {};
  for (const [k, v] of Object.entries(meta)) if (!SERVER_OWNED_META.has(k)) metaFields[`f:${k}`] = fieldsOf(v);
  if (Object.keys(metaFields).length > 0) out['f:metadata'] = metaFields;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    out[`f:${k}`] = fieldsOf(v);
  }
  return out;
}

/** Returns the managedFields list after `manager` wrote `obj` through `subresource`. */
export function recordManager(
  existing: unknown,
  obj: Rec,
  manager: string,
  apiVersion: string,
  subresource: string | undefined,
): ManagedFieldsEntry[] {
  const entries = Array.isArray(existing) ? (existing as ManagedFieldsEntry[]) : [];
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Update',
    apiVersion,
    time: nowRfc3339(),
    fieldsType: 'FieldsV1',
    fieldsV1: fieldsV1For(obj, subresource),
  };
  if (subresource) entry.subresource = subresource;
  const others = entries.filter((e) => !(e.manager === manager && e.operation === 'Update' && e.subresource === subresource));
  return [...others, entry];
}

/** What the API derives a field manager name from when none is given: the User-Agent's program name. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0].trim();
  return prefix.slice(0, 128) || 'unknown';
}
