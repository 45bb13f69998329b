// Reads and decodes request bodies as the real API does: JSON (the default when no
// Content-Type is given) or YAML for objects; the patch media types for PATCH; a 3 MiB cap.

import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { PATCH_TYPES } from './patch.ts';
import { errors } from './status.ts';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw errors.tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Uint8Array).length;
    if (size > MAX_BODY_BYTES) throw errors.tooLarge();
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks);
}

function decode(raw: Buffer, yaml: boolean): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

/** An object body for POST/PUT (and DELETE options). */
export async function readObject(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const type = mediaType(req);
  const yaml = type === 'application/yaml';
  if (type !== '' && type !== 'application/json' && !yaml) throw errors.unsupportedMediaType(type);
  const value = decode(await readBody(req), yaml);
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw errors.badRequest('the body of the request must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A PATCH body with its patch type (the media type). */
export async function readPatch(req: IncomingMessage): Promise<{ type: string; patch: unknown }> {
  const type = mediaType(req);
  if (type === PATCH_TYPES.apply) {
    throw errors.unsupportedMediaType(`${type} (server-side apply is not implemented by the fake API server)`);
  }
  if (type !== PATCH_TYPES.json && type !== PATCH_TYPES.merge && type !== PATCH_TYPES.strategic) {
    throw errors.unsupportedMediaType(type || '(none)');
  }
  const patch = decode(await readBody(req), false);
  if (patch === undefined) throw errors.badRequest('the body of the PATCH request is empty');
  return { type, patch };
}
