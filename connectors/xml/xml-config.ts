// The xml connector's configuration: validated and compiled once at load time (STYLE.md 6), so a bad path or
// template fails at startup with a message naming the setting. Defaults live here and in the README's table.
import { z } from 'zod';
import { sizeField } from '../config-fields.ts';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../http/http-client.ts';
import { authConfigSchema } from '../http/upstream-auth.ts';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES } from './safe-xml.ts';
import { compileXmlPath, type XmlPath } from './xml-path.ts';
import { compileRequestTemplate, structuredTemplate, type RequestTemplate } from './xml-request.ts';

export const DEFAULT_MAX_BATCH_SIZE = 100;
export const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'sap-date'] as const;

// Turns a thrown Error into a zod issue; the registry's describeIssues prefixes the setting's path and appends
// what arrived (`connector "wms": entities.s.recordPath: has an invalid step "", but got "A..B"`).
function compiled<T>(compile: (text: string) => T) {
  return z.string().transform((text, ctx) => {
    try {
      return compile(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

const path = compiled<XmlPath>(compileXmlPath);

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** One output field of a record, compiled. */
export interface FieldSpec {
  readonly path: XmlPath;
  readonly type: (typeof FIELD_TYPES)[number];
  readonly time?: XmlPath;
  readonly values?: Readonly<Record<string, string | number | boolean | null>>;
  readonly list: boolean;
}

// A field is a path, or an object whose `path` is one; the string form is read as { path } so errors point at it.
const fieldSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { path: value } : value),
  z
    .object({
      /** Where the value is, relative to the record. */
      path,
      /** How the text is read: string (default), number, integer, boolean (X/true/1), sap-date (YYYYMMDD, with `time`). */
      type: z.enum(FIELD_TYPES).default('string'),
      /** For sap-date: the path of the HHMMSS time that goes with the date. */
      time: path.optional(),
      /** Translates codes before typing: { "6": "in_transit", "7": "delivered" }. Unlisted codes pass through. */
      values: z.record(z.string(), scalar).optional(),
      /** Every match as a list, instead of the first match. */
      list: z.boolean().default(false),
    })
    .strict()
    .transform((f): FieldSpec => f),
);

const entitySchema = z
  .object({
    method: z.enum(['GET', 'POST']).default('GET'),
    /** Path relative to the endpoint. */
    path: z.string().startsWith('/', 'must start with "/"'),
    /** GET: the query parameter that carries the keys, joined by keysSeparator. */
    keysParam: z.string().min(1).optional(),
    keysSeparator: z.string().min(1).default(','),
    /** Fixed query parameters sent with every call. */
    query: z.record(z.string(), z.string()).default({}),
    /** POST: the body, with one repeated section for the keys. */
    requestTemplate: compiled<RequestTemplate>(compileRequestTemplate).optional(),
    /** POST: the body in structured form, <root><element>key</element>…</root>. */
    request: z.object({ root: z.string(), element: z.string() }).strict().optional(),
    contentType: z.string().min(1).default('application/xml; charset=utf-8'),
    /** Path from the document root to the repeated record elements (the first step is the root element). */
    recordPath: path,
    /** Path inside a record to its key. */
    keyField: path,
    /** Output field -> where it is in the record. Without fields, records are returned as parsed. */
    fields: z.record(z.string().min(1), fieldSchema).optional(),
    many: z.boolean().default(false),
    maxBatchSize: z.number().int().min(1).max(10_000).default(DEFAULT_MAX_BATCH_SIZE),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.method === 'GET') {
      if (e.keysParam === undefined) ctx.addIssue({ code: 'custom', path: ['keysParam'], message: 'a GET entity needs keysParam, the query parameter that carries the keys (e.g. "orders")' });
      if (e.requestTemplate !== undefined || e.request !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['method'], message: 'requestTemplate and request are for POST entities; write method: POST or drop them' });
      }
    } else {
      if ((e.requestTemplate === undefined) === (e.request === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['requestTemplate'], message: 'a POST entity needs exactly one of requestTemplate or request ({ root, element })' });
      }
      if (e.keysParam !== undefined) ctx.addIssue({ code: 'custom', path: ['keysParam'], message: 'keysParam is for GET entities; a POST entity lists its keys in the body' });
    }
    for (const [name, field] of Object.entries(e.fields ?? {})) {
      if (field.time !== undefined && field.type !== 'sap-date') {
        ctx.addIssue({ code: 'custom', path: ['fields', name, 'time'], message: 'time goes with type: sap-date' });
      }
    }
  })
  .transform((e, ctx) => {
    let body: RequestTemplate | undefined = e.requestTemplate;
    if (e.request !== undefined) {
      try {
        body = structuredTemplate(e.request.root, e.request.element);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['request'], message: (err as Error).message });
        return z.NEVER;
      }
    }
    const { requestTemplate: _t, request: _r, ...rest } = e;
    return { ...rest, body };
  });

export type XmlEntityConfig = z.infer<typeof entitySchema>;

export const xmlConfigSchema = z
  .object({
    name: z.string().min(1),
    /** Base URL; entity paths are resolved against it (its own path is kept). */
    endpoint: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL like "http://127.0.0.1:7004"' }),
    auth: authConfigSchema.default({ type: 'none' }),
    /** Extra headers sent with every request (not for secrets: use auth). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Largest answer read, as a size like "8mb"; larger ones fail unread with CONN_ERR_RESPONSE_TOO_LARGE. */
    maxResponseSize: sizeField('maxResponseSize', { minBytes: 1024, maxBytes: 1024 ** 3 }).default(DEFAULT_MAX_RESPONSE_BYTES),
    /** Deepest element nesting accepted (the root is 1). */
    maxDepth: z.number().int().min(2).max(1000).default(DEFAULT_MAX_DEPTH),
    /** Most elements plus attributes accepted in one answer. */
    maxNodes: z.number().int().min(1).max(10_000_000).default(DEFAULT_MAX_NODES),
    /** Readiness: GET this path; any answer other than 5xx, 401 or 403 means the upstream is up. */
    checkPath: z.string().startsWith('/', 'must start with "/"').default('/'),
    entities: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a name like "shipmentsByOrder"'), entitySchema).refine(
      (entities) => Object.keys(entities).length > 0,
      'must declare at least one entity',
    ),
  })
  .strict();

export type XmlConfig = z.infer<typeof xmlConfigSchema>;
