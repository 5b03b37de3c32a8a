// What the WSDL offers, and whether the connector's entities and commands fit it (STYLE.md 8: pure). Checked once,
// when the WSDL is first loaded, so a typo in an operation name or a dot path fails with a message listing what the
// WSDL does have, instead of as an empty result on every call.
import { childNames, descriptionAt, type TypeDescription } from './soap-mapping.ts';
import type { SoapConfig } from './soap-config.ts';

export interface OperationDescription {
  readonly input: TypeDescription | undefined;
  readonly output: TypeDescription | undefined;
}

/** The operations of every service and port in `client.describe()` output (the first definition of a name wins). */
export function describeOperations(described: unknown): Map<string, OperationDescription> {
  const ops = new Map<string, OperationDescription>();
  for (const service of Object.values((described ?? {}) as Record<string, unknown>)) {
    for (const port of Object.values((service ?? {}) as Record<string, unknown>)) {
      for (const [name, op] of Object.entries((port ?? {}) as Record<string, { input?: TypeDescription; output?: TypeDescription }>)) {
        if (!ops.has(name)) ops.set(name, { input: op?.input, output: op?.output });
      }
    }
  }
  return ops;
}

/** Problems of the configured mapping against the WSDL, one line each (empty when it fits). */
export function checkMapping(config: Pick<SoapConfig, 'entities' | 'commands'>, ops: ReadonlyMap<string, OperationDescription>): string[] {
  const problems: string[] = [];
  const available = [...ops.keys()].join(', ') || '(none)';
  const operation = (what: string, name: string) => {
    const op = ops.get(name);
    if (!op) problems.push(`${what}: operation "${name}" is not in the WSDL; it has ${available}`);
    return op;
  };
  for (const [name, e] of Object.entries(config.entities)) {
    const what = `entity "${name}"`;
    const op = operation(what, e.operation);
    if (!op) continue;
    const argPath = e.keysArg ?? e.keyArg ?? '';
    const arg = descriptionAt(op.input, argPath);
    const argName = e.keysArg !== undefined ? 'keysArg' : 'keyArg';
    if (!arg) {
      problems.push(`${what}: ${argName} "${argPath}" is not an argument of ${e.operation} (its arguments: ${childNames(op.input)})`);
    } else if (e.keysArg !== undefined && !arg.list) {
      problems.push(`${what}: keysArg "${argPath}" is not a repeated element of ${e.operation}; for an argument that takes one key, write keyArg instead`);
    } else if (e.keyArg !== undefined && arg.list) {
      problems.push(`${what}: keyArg "${argPath}" is a repeated element of ${e.operation}; for a list of keys, write keysArg instead`);
    }
    const record = descriptionAt(op.output, e.resultPath);
    if (!record) {
      problems.push(`${what}: resultPath "${e.resultPath}" is not in the result of ${e.operation} (it has ${childNames(op.output)})`);
    } else if (e.keyField !== undefined && !descriptionAt(record.desc, e.keyField)) {
      problems.push(`${what}: keyField "${e.keyField}" is not a field of the records at "${e.resultPath}" (they have ${childNames(record.desc)})`);
    }
  }
  for (const [name, c] of Object.entries(config.commands)) {
    const op = operation(`command "${name}"`, c.operation);
    if (op && !descriptionAt(op.output, c.resultPath)) {
      problems.push(`command "${name}": resultPath "${c.resultPath}" is not in the result of ${c.operation} (it has ${childNames(op.output)})`);
    }
  }
  return problems;
}
