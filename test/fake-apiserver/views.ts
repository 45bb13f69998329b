// Converts between an API's view of an object and its stored form. Only the two Event APIs
// differ; every other type is stored as served.

import { coreEventToV1, eventV1ToCore } from './event-conversion.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import type { Obj } from './store.ts';

function isEventsV1(rt: ResourceType): boolean {
  return rt.group === 'events.k8s.io';
}

/** The object as `rt`'s API serves it. May return the (frozen) stored object itself. */
export function toView(rt: ResourceType, stored: Obj): Obj {
  return isEventsV1(rt) ? coreEventToV1(stored) : stored;
}

/** A request body in `rt`'s API shape → the stored shape (a fresh, mutable object). */
export function toStorage(rt: ResourceType, input: Obj): Obj {
  const copy = structuredClone(input) as Obj;
  copy.metadata = { ...(copy.metadata ?? {}) };
  if (isEventsV1(rt)) return eventV1ToCore(copy);
  const out: Obj = { apiVersion: apiVersionOf(rt), kind: rt.kind, ...copy };
  out.apiVersion = apiVersionOf(rt);
  out.kind = rt.kind;
  return out;
}
