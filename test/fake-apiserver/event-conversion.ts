// core/v1 Event and events.k8s.io/v1 Event are two views of one stored resource, as in a
// real cluster: an Event written through either API is listed and watched through both.
// Storage keeps the core/v1 shape; these map field names between the two.

import type { Obj } from './store.ts';

// [events.k8s.io/v1 field, core/v1 field]
const FIELD_MAP: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['related', 'related'],
  ['note', 'message'],
  ['reason', 'reason'],
  ['type', 'type'],
  ['action', 'action'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['reportingController', 'reportingComponent'],
  ['reportingInstance', 'reportingInstance'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function mapFields(from: Obj, fromIndex: 0 | 1, apiVersion: string): Obj {
  const out: Obj = { apiVersion, kind: 'Event', metadata: from.metadata };
  for (const pair of FIELD_MAP) {
    const v = from[pair[fromIndex]];
    if (v !== undefined) out[pair[1 - fromIndex]] = v;
  }
  return out;
}

/** events.k8s.io/v1 Event → stored (core/v1) Event. */
export function eventV1ToCore(obj: Obj): Obj {
  return mapFields(obj, 0, 'v1');
}

/** Stored (core/v1) Event → events.k8s.io/v1 Event. */
export function coreEventToV1(obj: Obj): Obj {
  return mapFields(obj, 1, 'events.k8s.io/v1');
}
