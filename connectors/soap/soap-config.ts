// The soap kind's configuration (validated once by the registry; STYLE.md 6). Entities map a key list (or a single
// key) onto an operation's arguments and find the records in its result by dot paths; commands name an operation.
import { z } from 'zod';
import { durationField, sizeField } from '../config-fields.ts';
import { authConfigSchema } from '../http/upstream-auth.ts';

const dotPath = z.string().regex(/^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/, 'must be a dot path of element names like "customerNos.customerNo"');

const entitySchema = z
  .object({
    /** The WSDL operation that loads this entity. */
    operation: z.string().min(1),
    /** Dot path of the list argument that carries many keys in one call ("customerNos.customerNo"). */
    keysArg: dotPath.optional(),
    /** Dot path of the argument that carries one key ("orderId"): one call per key. */
    keyArg: dotPath.optional(),
    /** Dot path to the record(s) in the operation's result ("orders.order"); "" is the whole result. */
    resultPath: z.union([dotPath, z.literal('')]).default(''),
    /** Dot path of the field in each record that holds its key ("customerNo"). Required with keysArg. */
    keyField: dotPath.optional(),
    /** One key maps to a list of records (the orders of a customer). */
    many: z.boolean().default(false),
    /** Most keys per call (keysArg), or keys loaded in parallel per batch (keyArg). Default 100 / 10. */
    maxBatchSize: z.number().int().min(1).max(10_000).optional(),
    /** The fault code (in the fault detail, or as "Client.<code>") that means "no such key" for a keyArg entity. */
    notFoundFault: z.string().min(1).default('NotFound'),
  })
  .strict()
  .superRefine((e, ctx) => {
    if ((e.keysArg === undefined) === (e.keyArg === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of keysArg (a list argument, many keys per call) or keyArg (one key per call)' });
    }
    if (e.keysArg !== undefined && e.keyField === undefined) {
      ctx.addIssue({ code: 'custom', path: ['keyField'], message: 'is required with keysArg: it says which field of each record holds its key, so records are matched to keys by key' });
    }
  });

const commandSchema = z
  .object({
    operation: z.string().min(1),
    /** Only idempotent commands are retried. */
    idempotent: z.boolean().default(false),
    /** Dot path to the part of the result to return; "" (default) returns the whole result. */
    resultPath: z.union([dotPath, z.literal('')]).default(''),
  })
  .strict();

export const soapConfigSchema = z
  .object({
    name: z.string().min(1),
    /** Where the WSDL is fetched from (on first use, once). */
    wsdl: z.url({ protocol: /^https?$/ }),
    /** Overrides the service address in the WSDL. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    auth: authConfigSchema.default({ type: 'none' }),
    /** Largest answer read (the WSDL included). Default "8mb". */
    maxResponseSize: sizeField('maxResponseSize', { minBytes: 1024 }).prefault('8mb'),
    /** How long the first use may wait for the WSDL. Default "10s". */
    wsdlTimeout: durationField('wsdlTimeout', { minMs: 1 }).prefault('10s'),
    /** Deepest element nesting accepted in an answer. Default 64. */
    maxXmlDepth: z.number().int().min(4).max(1_000).default(64),
    entities: z.record(z.string().min(1), entitySchema).default({}),
    commands: z.record(z.string().min(1), commandSchema).default({}),
  })
  .strict();

export type SoapConfig = z.output<typeof soapConfigSchema>;
export type SoapEntityConfig = SoapConfig['entities'][string];
export type SoapCommandConfig = SoapConfig['commands'][string];
