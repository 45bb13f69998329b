// HTTP verbs on resource URLs → registry calls, with the real API's query parameters,
// status codes and response shapes (lists without per-item kind/apiVersion, 201 on create,
// Status or object on delete).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRv, type Registry, type WriteOptions } from './registry.ts';
import { readObject, readPatch } from './request-body.ts';
import type { Verb } from './request-log.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import type { Route } from './routing.ts';
import { parseFieldSelector, parseLabelSelector, type Matcher } from './selectors.ts';
import { errors, successStatus } from './status.ts';
import type { Obj } from './store.ts';
import type { WatchRequest } from './watch-stream.ts';

export type ResourceRoute = Extract<Route, { type: 'resource' }>;

export interface ResourceHandlerContext {
  registry: Registry;
  /** Opens a watch stream on `res` (the server tracks it for faults and shutdown). */
  openWatch(res: ServerResponse, request: WatchRequest): void;
  /** Watch duration when the client gives no timeoutSeconds. */
  defaultWatchTimeoutMs: number;
}

const TRUE = new Set(['true', '1']);

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function isWatch(route: ResourceRoute, query: URLSearchParams): boolean {
  return route.legacyWatch || TRUE.has(query.get('watch') ?? '');
}

/** The audit verb a request maps to. */
export function resourceVerb(method: string, route: ResourceRoute, query: URLSearchParams): Verb {
  const named = route.name !== undefined;
  switch (method) {
    case 'GET':
      if (isWatch(route, query)) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return named ? 'unknown' : 'create';
    case 'PUT':
      return named ? 'update' : 'unknown';
    case 'PATCH':
      return named ? 'patch' : 'unknown';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return 'unknown';
  }
}

function nonNegativeInt(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw errors.badRequest(`${name}: Invalid value: "${raw}": must be a non-negative integer`);
  return Number(raw);
}

function dryRunOf(query: URLSearchParams, body?: Record<string, unknown>): boolean {
  const values = [...query.getAll('dryRun'), ...(Array.isArray(body?.dryRun) ? (body.dryRun as unknown[]).map(String) : [])];
  for (const v of values) if (v !== 'All') throw errors.badRequest(`Invalid dryRun value: ${v}; the only supported value is "All"`);
  return values.length > 0;
}

function writeOptions(route: ResourceRoute, query: URLSearchParams, defaultManager: string): WriteOptions {
  const opts: WriteOptions = { manager: query.get('fieldManager') || defaultManager, dryRun: dryRunOf(query) };
  if (route.subresource === 'status') opts.subresource = 'status';
  return opts;
}

function selectors(rt: ResourceType, query: URLSearchParams, name?: string): { label: Matcher; field: Matcher; selective: boolean } {
  const label = parseLabelSelector(query.get('labelSelector'));
  const byField = parseFieldSelector(query.get('fieldSelector'), rt);
  // A watch on a named URL is a watch with metadata.name=<name>.
  const field: Matcher = name === undefined ? byField : (o) => o.metadata?.name === name && byField(o);
  const selective = Boolean(query.get('labelSelector') || query.get('fieldSelector'));
  return { label, field, selective };
}

function listEnvelope(rt: ResourceType, items: Obj[], meta: Record<string, unknown>): unknown {
  // The real API leaves kind/apiVersion off list items; only the list carries them.
  const bare = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  return { kind: `${rt.kind}List`, apiVersion: apiVersionOf(rt), metadata: meta, items: bare };
}

function listMeta(result: { resourceVersion: string; continue?: string; remainingItemCount?: number }): Record<string, unknown> {
  const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continue) meta.continue = result.continue;
  if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
  return meta;
}

function startWatch(ctx: ResourceHandlerContext, res: ServerResponse, route: ResourceRoute, query: URLSearchParams): void {
  const { label, field } = selectors(route.rt, query, route.name);
  const sendInitialEvents = query.has('sendInitialEvents') ? TRUE.has(query.get('sendInitialEvents')!) : false;
  const allowBookmarks = TRUE.has(query.get('allowWatchBookmarks') ?? '');
  if (sendInitialEvents && query.get('resourceVersionMatch') !== 'NotOlderThan') {
    throw errors.unprocessable('resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
  }
  if (sendInitialEvents && !allowBookmarks) {
    throw errors.unprocessable('allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true');
  }
  if (!sendInitialEvents && query.get('resourceVersionMatch')) {
    throw errors.unprocessable('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  }
  const timeoutSeconds = nonNegativeInt(query, 'timeoutSeconds');
  const resourceVersion = query.get('resourceVersion') ?? '';
  if (resourceVersion !== '') parseRv(resourceVersion); // a bad one is a 400, before the 200 of a stream
  ctx.openWatch(res, {
    rt: route.rt,
    namespace: route.namespace,
    label,
    field,
    resourceVersion,
    allowBookmarks,
    sendInitialEvents,
    timeoutMs: timeoutSeconds !== undefined && timeoutSeconds > 0 ? timeoutSeconds * 1000 : ctx.defaultWatchTimeoutMs,
  });
}

export async function handleResource(
  ctx: ResourceHandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
  verb: Verb,
  defaultManager: string,
): Promise<void> {
  const { registry } = ctx;
  const { rt, namespace, name } = route;
  if (route.subresource !== undefined && verb !== 'get' && verb !== 'update' && verb !== 'patch') {
    throw errors.methodNotAllowed(req.method ?? '');
  }
  switch (verb) {
    case 'watch':
      return startWatch(ctx, res, route, query);
    case 'get':
      return sendJson(res, 200, registry.get(rt, namespace, name!));
    case 'list': {
      if (query.get('sendInitialEvents')) throw errors.unprocessable('sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list');
      const { label, field, selective } = selectors(rt, query);
      const result = registry.list(rt, {
        namespace,
        labelSelector: label,
        fieldSelector: field,
        selective,
        limit: nonNegativeInt(query, 'limit'),
        continueToken: query.get('continue') ?? undefined,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
      });
      return sendJson(res, 200, listEnvelope(rt, result.items, listMeta(result)));
    }
    case 'create': {
      const body = (await readObject(req)) ?? {};
      return sendJson(res, 201, registry.create(rt, namespace, body, writeOptions(route, query, defaultManager)));
    }
    case 'update': {
      const body = await readObject(req);
      if (!body) throw errors.badRequest('the body of the request is empty');
      const existed = registry.exists(rt, namespace, name!);
      const updated = registry.update(rt, namespace, name!, body, writeOptions(route, query, defaultManager));
      return sendJson(res, existed ? 200 : 201, updated);
    }
    case 'patch': {
      const { type, patch } = await readPatch(req);
      return sendJson(res, 200, registry.patch(rt, namespace, name!, type, patch, writeOptions(route, query, defaultManager)));
    }
    case 'delete': {
      const body = (await readObject(req)) ?? {};
      const pre = (body.preconditions ?? {}) as { uid?: string; resourceVersion?: string };
      const opts = writeOptions(route, query, defaultManager);
      opts.dryRun = dryRunOf(query, body);
      const deleted = registry.delete(rt, namespace, name!, opts, pre);
      return sendJson(res, 200, rt.deleteReturnsObject ? deleted : successStatus(rt, name!, String(deleted.metadata.uid)));
    }
    case 'deletecollection': {
      const body = (await readObject(req)) ?? {};
      const { label, field, selective } = selectors(rt, query);
      const opts = writeOptions(route, query, defaultManager);
      opts.dryRun = dryRunOf(query, body);
      const deleted = registry.deleteCollection(rt, { namespace, labelSelector: label, fieldSelector: field, selective, ...opts });
      return sendJson(res, 200, listEnvelope(rt, deleted, { resourceVersion: String(registry.store.rv) }));
    }
    default:
      throw errors.methodNotAllowed(req.method ?? '');
  }
}
