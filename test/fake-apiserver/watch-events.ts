// Turns a store change into what one watcher sees, with the real watch cache's selector
// rules: an object entering a watcher's selection arrives as ADDED, one leaving it as
// DELETED (carrying its previous content stamped with the change's resourceVersion).

import { bucketOf, type ResourceType } from './resources.ts';
import type { Matcher } from './selectors.ts';
import type { Change, ChangeType, Obj } from './store.ts';
import { toView } from './views.ts';

export interface WatchScope {
  rt: ResourceType;
  namespace?: string;
  label: Matcher;
  field: Matcher;
}

export interface WatchEvent {
  type: ChangeType | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

function inScope(scope: WatchScope, obj: Obj): boolean {
  return scope.label(obj) && scope.field(obj);
}

function stamped(obj: Obj, rv: number): Obj {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
}

/** The event `change` produces for `scope`, or null when the watcher must not see it. */
export function eventFor(scope: WatchScope, change: Change): WatchEvent | null {
  if (change.bucket !== bucketOf(scope.rt)) return null;
  if (scope.rt.namespaced && scope.namespace && !change.key.startsWith(`${scope.namespace}/`)) return null;
  const cur = change.type === 'DELETED' ? undefined : toView(scope.rt, change.object);
  const prev = change.prev ? toView(scope.rt, change.prev) : undefined;
  const curPasses = cur !== undefined && inScope(scope, cur);
  const prevPasses = prev !== undefined && inScope(scope, prev);
  if (curPasses) return { type: prevPasses ? 'MODIFIED' : 'ADDED', object: cur };
  if (!prevPasses) return null;
  // Deleted, or no longer selected: the last content the watcher could see, at this RV.
  const object = change.type === 'DELETED' ? toView(scope.rt, change.object) : stamped(prev!, change.rv);
  return { type: 'DELETED', object };
}
