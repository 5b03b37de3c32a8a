// A graphql-tools style resolver map attached to SDL, without graphql-tools: buildSchema, then each field's resolve
// (and subscribe, for { subscribe, resolve } objects). Apollo Server builds its own from typeDefs and resolvers;
// this one serves graphql-ws, tests and tools. A resolver for a type or field the SDL lacks fails here, at start-up.
import { buildSchema, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';

type AnyResolver = GraphQLFieldResolver<unknown, unknown>;

export function buildExecutableSchema(typeDefs: string, resolvers: Readonly<Record<string, unknown>>): GraphQLSchema {
  const schema = buildSchema(typeDefs);
  for (const [typeName, fieldResolvers] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (type === undefined) throw new TypeError(`resolvers.${typeName}: the schema has no type ${typeName}`);
    if (!isObjectType(type)) throw new TypeError(`resolvers.${typeName}: only object types take field resolvers here, but ${typeName} is not one`);
    const fields = type.getFields();
    for (const [fieldName, resolver] of Object.entries(fieldResolvers as Record<string, unknown>)) {
      const field = fields[fieldName];
      if (field === undefined) {
        throw new TypeError(`resolvers.${typeName}.${fieldName}: ${typeName} has no field ${fieldName}; it has ${Object.keys(fields).join(', ')}`);
      }
      if (typeof resolver === 'function') {
        field.resolve = resolver as AnyResolver;
        continue;
      }
      const { resolve, subscribe } = (resolver ?? {}) as { resolve?: unknown; subscribe?: unknown };
      if (typeof resolve !== 'function' && typeof subscribe !== 'function') {
        throw new TypeError(`resolvers.${typeName}.${fieldName}: must be a function or { resolve, subscribe }, but got ${typeof resolver}`);
      }
      if (typeof resolve === 'function') field.resolve = resolve as AnyResolver;
      if (typeof subscribe === 'function') field.subscribe = subscribe as AnyResolver;
    }
  }
  return schema;
}
