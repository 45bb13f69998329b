// What the fake was asked, for assertions: one record per request (bounded), plus a filter
// shape shared with the fault injectors ("fail the next status write to ingresses").

export type Verb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'discovery'
  | 'version'
  | 'health'
  | 'unknown';

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  verb: Verb;
  /** Plural, qualified by group when not core: 'services', 'ingresses.networking.k8s.io'. */
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  userAgent?: string;
  contentType?: string;
  /** HTTP status sent (200 for a watch that was opened); 0 while still in flight. */
  status: number;
  /** Which injected fault, if any, answered or delayed it. */
  fault?: 'failNext' | 'stall';
  at: number;
}

export interface RequestFilter {
  verb?: Verb | Verb[];
  /** Plural ('ingresses') or qualified ('ingresses.networking.k8s.io'). */
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  method?: string;
}

export function matchesFilter(r: Pick<RequestRecord, 'verb' | 'resource' | 'subresource' | 'namespace' | 'name' | 'method'>, f: RequestFilter | undefined): boolean {
  if (!f) return true;
  if (f.verb !== undefined && !(Array.isArray(f.verb) ? f.verb.includes(r.verb) : f.verb === r.verb)) return false;
  if (f.resource !== undefined) {
    const plural = r.resource?.split('.')[0];
    if (f.resource !== r.resource && f.resource !== plural) return false;
  }
  if (f.subresource !== undefined && f.subresource !== r.subresource) return false;
  if (f.namespace !== undefined && f.namespace !== r.namespace) return false;
  if (f.name !== undefined && f.name !== r.name) return false;
  if (f.method !== undefined && f.method.toUpperCase() !== r.method) return false;
  return true;
}

export class RequestLog {
  private readonly max: number;
  private records: RequestRecord[] = [];

  constructor(max = 10_000) {
    this.max = max;
  }

  add(r: RequestRecord): void {
    this.records.push(r);
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max);
  }

  all(): readonly RequestRecord[] {
    return this.records;
  }

  count(f?: RequestFilter): number {
    let n = 0;
    for (const r of this.records) if (matchesFilter(r, f)) n++;
    return n;
  }

  clear(): void {
    this.records = [];
  }
}
