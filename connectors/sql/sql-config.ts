// The sql kind's configuration (validated once by the registry; STYLE.md 6). An entity is one query taking the
// batch's keys as a text[] in $1; a command is one statement whose $1..$n come from named input fields.
import { z } from 'zod';
import { durationField } from '../config-fields.ts';
import { placeholdersOf } from './sql-mapping.ts';

const entitySchema = z
  .object({
    /** One statement; $1 is the text[] of keys: "select ... from shop.orders where customer_no = any($1)". */
    query: z.string().min(1),
    /** The result column holding each row's key (as named in the result: an alias if the query renames it). */
    keyColumn: z.string().min(1),
    /** One key maps to many rows (the orders of a customer); an unknown key is then an empty list. */
    many: z.boolean().default(false),
    /** Most keys per query; larger batches run as several queries. */
    maxBatchSize: z.number().int().min(1).max(100_000).default(1_000),
  })
  .strict()
  .superRefine((e, ctx) => {
    const used = placeholdersOf(e.query);
    if (!used.includes(1) || used.some((n) => n !== 1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message: `must use exactly one parameter, $1 (the keys as a text[]), as in "where id = any($1)", but uses ${used.length === 0 ? 'none' : used.map((n) => `$${n}`).join(', ')}`,
      });
    }
  });

const commandSchema = z
  .object({
    /** One statement; $1..$n are the input fields named in `params`, in that order. */
    query: z.string().min(1),
    params: z.array(z.string().min(1)).default([]),
    /** Only idempotent commands are retried. */
    idempotent: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    const beyond = placeholdersOf(c.query).filter((n) => n > c.params.length);
    if (beyond.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['params'],
        message: `names ${c.params.length} input field(s), but the query uses ${beyond.map((n) => `$${n}`).join(', ')}; list one input field per parameter`,
      });
    }
  });

export const sqlConfigSchema = z
  .object({
    name: z.string().min(1),
    /** postgres://user:password@host:port/database (the password never appears in messages or logs). */
    databaseUrl: z.string().regex(/^postgres(?:ql)?:\/\//, 'must be a PostgreSQL URL like "postgres://user:password@host:5432/db"'),
    /** Connections in the pool. */
    poolSize: z.number().int().min(1).max(1_000).default(10),
    /** How long to wait for a connection (a new one, or a free one from a busy pool). Default "5s". */
    connectTimeout: durationField('connectTimeout', { minMs: 1, maxMs: 600_000 }).prefault('5s'),
    entities: z.record(z.string().min(1), entitySchema).default({}),
    commands: z.record(z.string().min(1), commandSchema).default({}),
  })
  .strict();

export type SqlConfig = z.output<typeof sqlConfigSchema>;
export type SqlEntityConfig = SqlConfig['entities'][string];
export type SqlCommandConfig = SqlConfig['commands'][string];
