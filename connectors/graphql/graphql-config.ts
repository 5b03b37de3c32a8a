// The graphql kind's config: validated once at load time (STYLE.md 6). Every configured document is parsed here,
// so a syntax error or an undeclared keys variable stops start-up with a message naming the connector, the entity
// or command and the place in the document, instead of failing every call later.
import { z } from 'zod';
import { sizeField } from '../config-fields.ts';
import { connErr } from '../error-catalogue.ts';
import { authConfigSchema, type AuthConfig } from '../http/upstream-auth.ts';
import { checkVariables, compileOperation, type CompiledOperation, type OperationProblem } from './graphql-operations.ts';

const DOT_PATH = /^[_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*)*$/;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const ITEM_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

const dotPath = (what: string) => z.string().regex(DOT_PATH, `must be a dot path of field names like "${what}"`);
const staticVariables = z.record(z.string(), z.unknown()).default({});

const entitySchema = z
  .object({
    /** A GraphQL query with one list variable carrying the keys. */
    query: z.string().min(1),
    /** The name of that variable (without "$"). */
    keysVariable: z.string().regex(GRAPHQL_NAME, 'must be a GraphQL variable name without "$", like "userIds"'),
    /** Dot path under `data` to the records; lists met on the way are flattened. */
    resultPath: dotPath('ticketsByUsers'),
    /** Dot path of the key inside each record. */
    keyField: dotPath('userId'),
    many: z.boolean().default(false),
    maxBatchSize: z.number().int().min(1).max(10_000).default(100),
    /** Extra variables sent with every request (never the keys variable). */
    variables: staticVariables,
  })
  .strict();

const commandSchema = z
  .object({
    /** A GraphQL mutation (or query) whose variables come from the command's input. */
    query: z.string().min(1),
    /** Dot path under `data` to the result returned to the caller. */
    resultPath: dotPath('updateTicketStatus'),
    idempotent: z.boolean().default(false),
    /** Defaults for variables; the caller's input overrides them. */
    variables: staticVariables,
  })
  .strict();

const rawSchema = z
  .object({
    name: z.string().min(1),
    /** The upstream's GraphQL endpoint, e.g. http://127.0.0.1:7003/graphql. */
    endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL like "http://127.0.0.1:7003/graphql"' }),
    auth: authConfigSchema.default({ type: 'none' }),
    headers: z.record(z.string(), z.string()).default({}),
    maxResponseSize: sizeField('maxResponseSize', { minBytes: 1024 }).prefault('8mb'),
    entities: z.record(z.string().regex(ITEM_NAME, 'entity names are letters, digits, "_" and "-"'), entitySchema).default({}),
    commands: z.record(z.string().regex(ITEM_NAME, 'command names are letters, digits, "_" and "-"'), commandSchema).default({}),
  })
  .strict();

export type GraphqlRawConfig = z.input<typeof rawSchema>;

export interface GraphqlEntityConfig {
  readonly name: string;
  readonly operation: CompiledOperation;
  readonly keysVariable: string;
  readonly resultPath: readonly string[];
  readonly keyField: readonly string[];
  readonly many: boolean;
  readonly maxBatchSize: number;
  readonly variables: Readonly<Record<string, unknown>>;
}

export interface GraphqlCommandConfig {
  readonly name: string;
  readonly operation: CompiledOperation;
  readonly resultPath: readonly string[];
  readonly idempotent: boolean;
  readonly variables: Readonly<Record<string, unknown>>;
}

/** The validated config `create` receives: documents parsed, paths split, sizes in bytes. */
export interface GraphqlConfig {
  readonly name: string;
  readonly endpoint: string;
  readonly auth: AuthConfig;
  readonly headers: Readonly<Record<string, string>>;
  readonly maxResponseBytes: number;
  readonly entities: Readonly<Record<string, GraphqlEntityConfig>>;
  readonly commands: Readonly<Record<string, GraphqlCommandConfig>>;
}

/** Compiles the documents of a structurally valid config; returns the config or every problem found. */
function compile(raw: z.output<typeof rawSchema>): GraphqlConfig | OperationProblem[] {
  const problems: OperationProblem[] = [];
  const entities: Record<string, GraphqlEntityConfig> = {};
  const commands: Record<string, GraphqlCommandConfig> = {};
  for (const [name, e] of Object.entries(raw.entities)) {
    const where = `entity "${name}"`;
    const op = compileOperation(e.query, `${where}: query`, ['entities', name, 'query'], ['query']);
    if (Array.isArray(op)) {
      problems.push(...op);
      continue;
    }
    const found = checkVariables(op, where, ['entities', name], { keysVariable: e.keysVariable, variables: e.variables, inputMayProvide: false });
    problems.push(...found);
    if (found.length > 0) continue;
    entities[name] = Object.freeze({
      name,
      operation: op,
      keysVariable: e.keysVariable,
      resultPath: Object.freeze(e.resultPath.split('.')),
      keyField: Object.freeze(e.keyField.split('.')),
      many: e.many,
      maxBatchSize: e.maxBatchSize,
      variables: Object.freeze({ ...e.variables }),
    });
  }
  for (const [name, c] of Object.entries(raw.commands)) {
    const where = `command "${name}"`;
    const op = compileOperation(c.query, `${where}: query`, ['commands', name, 'query'], ['mutation', 'query']);
    if (Array.isArray(op)) {
      problems.push(...op);
      continue;
    }
    const found = checkVariables(op, where, ['commands', name], { variables: c.variables, inputMayProvide: true });
    problems.push(...found);
    if (found.length > 0) continue;
    commands[name] = Object.freeze({
      name,
      operation: op,
      resultPath: Object.freeze(c.resultPath.split('.')),
      idempotent: c.idempotent,
      variables: Object.freeze({ ...c.variables }),
    });
  }
  if (problems.length > 0) return problems;
  return Object.freeze({
    name: raw.name,
    endpoint: raw.endpoint,
    auth: raw.auth,
    headers: Object.freeze({ ...raw.headers }),
    maxResponseBytes: raw.maxResponseSize,
    entities: Object.freeze(entities),
    commands: Object.freeze(commands),
  });
}

/**
 * The zod schema the registry runs: structure first, then every document is compiled. Document problems become
 * custom issues whose message is the whole line after `connector "<name>": ` (params.whole).
 */
export const graphqlConfigSchema: z.ZodType<GraphqlConfig, GraphqlRawConfig> = rawSchema.transform((raw, ctx) => {
  const result = compile(raw);
  if (!Array.isArray(result)) return result;
  for (const p of result) ctx.addIssue({ code: 'custom', message: p.message, path: [...p.path], params: { whole: true } });
  return z.NEVER;
});

/**
 * Validates a graphql connector config outside the registry (code-first connectors, tests): throws one
 * CONN_ERR_CONFIG naming the connector and listing every problem.
 */
export function parseGraphqlConfig(input: unknown): GraphqlConfig {
  const result = graphqlConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const name = typeof (input as { name?: unknown } | null)?.name === 'string' ? (input as { name: string }).name : '(unnamed)';
  const lines = result.error.issues.map((i) => {
    const whole = i.code === 'custom' && (i.params as { whole?: boolean } | undefined)?.whole;
    return `connector "${name}": ${whole ? i.message : `${i.path.join('.') || '(root)'}: ${i.message}`}`;
  });
  throw connErr.CONN_ERR_CONFIG(lines.join('\n'), { details: { problems: lines } });
}
