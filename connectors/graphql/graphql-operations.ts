// Load-time checks of the GraphQL documents in a connector's config (pure). Without the upstream's schema we cannot
// validate fields, but we can catch what breaks every call: a syntax error, not exactly one operation, the wrong
// operation type, a keys variable the operation does not declare (or that is not a list), static variables the
// operation does not declare, and required variables nobody provides.
import { GraphQLError, Kind, parse, type DocumentNode, type OperationDefinitionNode, type TypeNode } from 'graphql';

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface VariableInfo {
  readonly name: string;
  /** The declared type as written: "[ID!]!". */
  readonly type: string;
  readonly isList: boolean;
  /** Non-null without a default: the request must carry it. */
  readonly required: boolean;
}

export interface CompiledOperation {
  /** The document as configured (sent as is). */
  readonly text: string;
  readonly document: DocumentNode;
  readonly operationType: OperationType;
  readonly operationName: string | undefined;
  readonly variables: ReadonlyMap<string, VariableInfo>;
}

/** A problem found at load time: where (for zod issue paths) and the message after `connector "x": `. */
export interface OperationProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function typeText(t: TypeNode): string {
  if (t.kind === Kind.NON_NULL_TYPE) return `${typeText(t.type)}!`;
  if (t.kind === Kind.LIST_TYPE) return `[${typeText(t.type)}]`;
  return t.name.value;
}

const unwrapNonNull = (t: TypeNode) => (t.kind === Kind.NON_NULL_TYPE ? t.type : t);
const declared = (vars: ReadonlyMap<string, VariableInfo>) =>
  vars.size === 0 ? 'it declares no variables' : `it declares ${[...vars.values()].map((v) => `$${v.name}: ${v.type}`).join(', ')}`;

/** The syntax error as "Expected Name, found ")" at line 2, column 31: `  ticketsByUsers(userIds: $)`". */
function describeSyntaxError(err: GraphQLError, text: string): string {
  const message = err.message.replace(/^Syntax Error: /, '').replace(/\.$/, '');
  const loc = err.locations?.[0];
  if (!loc) return message;
  const line = text.split(/\r\n|\r|\n/)[loc.line - 1]?.trim() ?? '';
  const shown = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return `${message} at line ${loc.line}, column ${loc.column}${shown ? ` (${JSON.stringify(shown)})` : ''}`;
}

/**
 * Parses one configured document and checks it has exactly one operation of an allowed type. `where` is how
 * messages name it: 'entity "ticketsByUser": query'. Returns the compiled operation or the problems found.
 */
export function compileOperation(
  text: string,
  where: string,
  path: readonly (string | number)[],
  allowed: readonly OperationType[],
): CompiledOperation | OperationProblem[] {
  let document: DocumentNode;
  try {
    document = parse(text, { noLocation: false });
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    return [{ path, message: `${where} is not valid GraphQL: ${describeSyntaxError(err, text)}. Fix the document in the connector's config.` }];
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) {
    const names = operations.map((o) => o.name?.value ?? '(anonymous)').join(', ');
    return [{ path, message: `${where} must contain exactly one operation, but it has ${operations.length}${names ? ` (${names})` : ''}. Keep one operation per document; fragments are fine.` }];
  }
  const op = operations[0]!;
  const operationType = op.operation as OperationType;
  if (!allowed.includes(operationType)) {
    return [{ path, message: `${where} must be a ${allowed.join(' or ')}, but it is a ${operationType}.${operationType === 'mutation' ? ' Declare writes under commands.' : ''}` }];
  }
  const variables = new Map<string, VariableInfo>();
  for (const def of op.variableDefinitions ?? []) {
    variables.set(def.variable.name.value, {
      name: def.variable.name.value,
      type: typeText(def.type),
      isList: unwrapNonNull(def.type).kind === Kind.LIST_TYPE,
      required: def.type.kind === Kind.NON_NULL_TYPE && def.defaultValue === undefined,
    });
  }
  return { text, document, operationType, operationName: op.name?.value, variables };
}

/**
 * Checks the variables an operation will be sent with: `keysVariable` (entities only) must be declared as a list,
 * static `variables` must be declared and must not set the keys, and every required variable must be provided
 * (by the keys, the static variables, or, for commands, possibly the caller's input: `inputMayProvide`).
 */
export function checkVariables(
  op: CompiledOperation,
  where: string,
  path: readonly (string | number)[],
  opts: { keysVariable?: string; variables: Readonly<Record<string, unknown>>; inputMayProvide: boolean },
): OperationProblem[] {
  const problems: OperationProblem[] = [];
  const { keysVariable } = opts;
  let keysWrong = false;
  if (keysVariable !== undefined) {
    const info = op.variables.get(keysVariable);
    keysWrong = !info || !info.isList;
    if (!info) {
      problems.push({
        path: [...path, 'keysVariable'],
        message: `${where}: keysVariable "${keysVariable}" is not declared by the operation; ${declared(op.variables)}. Declare it, e.g. query ($${keysVariable}: [ID!]!) { ... }, or set keysVariable to the variable that carries the keys.`,
      });
    } else if (!info.isList) {
      problems.push({
        path: [...path, 'keysVariable'],
        message: `${where}: keysVariable "${keysVariable}" has type ${info.type}, but it must be a list such as [ID!]!, because one request carries many keys.`,
      });
    }
  }
  for (const name of Object.keys(opts.variables)) {
    if (name === keysVariable) {
      problems.push({ path: [...path, 'variables', name], message: `${where}: variables must not set "${name}"; that is the keys variable, filled with the requested keys.` });
    } else if (!op.variables.has(name)) {
      problems.push({ path: [...path, 'variables', name], message: `${where}: variables sets "${name}", which the operation does not declare; ${declared(op.variables)}.` });
    }
  }
  // With a wrong keysVariable the undeclared-required check would only repeat the same mistake.
  if (!opts.inputMayProvide && !keysWrong) {
    for (const v of op.variables.values()) {
      if (v.required && v.name !== keysVariable && !(v.name in opts.variables)) {
        problems.push({ path: [...path, 'variables'], message: `${where}: the operation requires $${v.name}: ${v.type}, but neither keysVariable nor variables provides it.` });
      }
    }
  }
  return problems;
}

/** The JSON body of a GraphQL-over-HTTP POST. */
export function requestBody(op: CompiledOperation, variables: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(op.operationName === undefined ? { query: op.text, variables } : { query: op.text, variables, operationName: op.operationName });
}

/** Keeps only the variables the operation declares, so no unrelated input leaks to the upstream. */
export function declaredVariables(op: CompiledOperation, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of op.variables.keys()) if (Object.hasOwn(values, name) && values[name] !== undefined) out[name] = values[name];
  return out;
}
