// The rest kind's config (STYLE.md 6): validated once at load time with messages that say what is wrong and how
// to write it, defaults in one place. Entities are loaded by a batch request (many keys in one call) or by one
// request per key; commands fill {field} placeholders in their path from the caller's input.
import { z } from 'zod';
import { sizeField } from '../config-fields.ts';
import { authConfigSchema } from '../http/upstream-auth.ts';

const DOT_PATH = /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*$/;
const ITEM_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

const dotPath = (example: string) => z.string().regex(DOT_PATH, `must be a dot path of field names like "${example}"`);
/** A dot path, or '' for the whole answer. */
const optionalDotPath = (example: string) =>
  z.string().refine((s) => s === '' || DOT_PATH.test(s), `must be a dot path of field names like "${example}", or "" for the whole answer`);
const relativePath = (example: string) =>
  z.string().regex(/^\/[^\s]*$/, `must be a path relative to the endpoint, starting with "/", like "${example}"`);
const staticQuery = z.record(z.string().min(1), z.string()).default({});

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

const batchSchema = z
  .object({
    method: z.enum(['GET', 'POST']).default('GET'),
    path: relativePath('/contacts'),
    /** GET: the query parameter carrying the comma-joined keys. POST: the JSON body field (dot path) carrying the key array. */
    keysParam: z.string().min(1),
    /** Dot path to the array of records in the answer; "" when the answer is the array. */
    itemsPath: optionalDotPath('items').default(''),
    /** Dot path of the key inside each record. */
    keyField: dotPath('id'),
    /** Extra query parameters sent with every batch request. */
    query: staticQuery,
  })
  .strict();

const singleSchema = z
  .object({
    /** Contains "{key}", replaced by the URL-encoded key: "/contacts/{key}" or "/contacts?email={key}". */
    path: relativePath('/contacts/{key}').refine((p) => p.includes('{key}'), 'must contain "{key}" where the key goes, like "/contacts/{key}"'),
    /** Dot path to the record (an object) or to a list of records (an empty list is not_found); "" for the whole answer. */
    resultPath: optionalDotPath('items').default(''),
    query: staticQuery,
  })
  .strict();

const entitySchema = z
  .object({
    /** One key maps to a list of records (the orders of a customer). */
    many: z.boolean().default(false),
    /** The most keys one batch request carries; larger loads are split. */
    maxBatchSize: z.number().int().min(1).max(10_000).default(100),
    batch: batchSchema.optional(),
    single: singleSchema.optional(),
  })
  .strict();

const commandSchema = z
  .object({
    method: z.enum(HTTP_METHODS),
    /** May contain {field} placeholders, filled (URL-encoded) from the input: "/contacts/{id}". */
    path: relativePath('/contacts/{id}'),
    /** Whether the command may be retried. Default: true for GET, PUT and DELETE; false for POST and PATCH. */
    idempotent: z.boolean().optional(),
    /** Input fields sent as the JSON body. Default for POST, PUT and PATCH: every input field not used in the path. */
    bodyFields: z.array(z.string().min(1)).optional(),
    /** Input fields sent as query parameters. */
    queryFields: z.array(z.string().min(1)).default([]),
    /** Dot path to the part of the answer returned to the caller; "" for the whole answer. */
    resultPath: optionalDotPath('data').default(''),
  })
  .strict();

export const restConfigSchema = z
  .object({
    name: z.string().min(1),
    /** Base URL; entity and command paths are relative to it (its own path is kept). */
    endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL like "http://127.0.0.1:7001/api/v1"' }),
    auth: authConfigSchema.default({ type: 'none' }),
    /** Sent with every request (auth headers win over these). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Largest answer read, like "8mb"; larger answers fail with CONN_ERR_RESPONSE_TOO_LARGE. */
    maxResponseSize: sizeField('maxResponseSize', { minBytes: 1024, maxBytes: 1024 ** 3 }).prefault('8mb'),
    /** Keep-alive connections to the upstream. */
    connections: z.number().int().min(1).max(1024).default(32),
    /** What check() asks (without credentials); any answer below 500 counts as reachable. */
    health: z.object({ path: relativePath('/health').default('/') }).strict().default({ path: '/' }),
    entities: z.record(z.string().regex(ITEM_NAME, 'entity names are letters, digits, "_" and "-"'), entitySchema).default({}),
    commands: z.record(z.string().regex(ITEM_NAME, 'command names are letters, digits, "_" and "-"'), commandSchema).default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message, params: { whole: true } });
    for (const [name, entity] of Object.entries(config.entities)) {
      if (!entity.batch && !entity.single) {
        problem(`entities.${name} needs "batch" (one request for many keys) or "single" (one request per key, path with {key}); it has neither`);
      }
      if (entity.batch && /[{}]/.test(entity.batch.path)) {
        problem(`entities.${name}.batch.path must not contain placeholders (the keys go in keysParam), but got ${JSON.stringify(entity.batch.path)}`);
      }
      if (entity.batch?.method === 'GET' && !/^[\w.[\]-]+$/.test(entity.batch.keysParam)) {
        problem(`entities.${name}.batch.keysParam must be a query parameter name like "ids", but got ${JSON.stringify(entity.batch.keysParam)}`);
      }
      if (entity.batch?.method === 'POST' && !DOT_PATH.test(entity.batch.keysParam)) {
        problem(`entities.${name}.batch.keysParam must be a JSON body field (dot path) like "ids", but got ${JSON.stringify(entity.batch.keysParam)}`);
      }
      const others = entity.single ? [...entity.single.path.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((p) => p !== 'key') : [];
      if (others.length > 0) problem(`entities.${name}.single.path may only use {key}, but has {${others.join('}, {')}}`);
    }
    for (const [name, command] of Object.entries(config.commands)) {
      for (const [, field] of command.path.matchAll(PLACEHOLDER)) {
        if (!/^[A-Za-z_$][\w$]*$/.test(field ?? '')) problem(`commands.${name}.path has a placeholder {${field}}; placeholders name an input field, like {id}`);
      }
      if (command.bodyFields !== undefined && (command.method === 'GET' || command.method === 'DELETE')) {
        problem(`commands.${name} is a ${command.method}, which sends no body; list its input fields in queryFields instead of bodyFields`);
      }
    }
  });

export type RestConfig = z.output<typeof restConfigSchema>;
export type RestConfigInput = z.input<typeof restConfigSchema>;
export type RestEntityConfig = RestConfig['entities'][string];
export type RestBatchConfig = NonNullable<RestEntityConfig['batch']>;
export type RestSingleConfig = NonNullable<RestEntityConfig['single']>;
export type RestCommandConfig = RestConfig['commands'][string];

/** The placeholders of a path template, in order: "/a/{id}/b/{line}" -> ["id", "line"]. */
export function placeholders(path: string): string[] {
  return [...path.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** Default retry safety by method (RFC 9110 9.2.2): GET, PUT and DELETE are idempotent; POST and PATCH are not. */
export function isIdempotent(command: Pick<RestCommandConfig, 'method' | 'idempotent'>): boolean {
  return command.idempotent ?? (command.method === 'GET' || command.method === 'PUT' || command.method === 'DELETE');
}
