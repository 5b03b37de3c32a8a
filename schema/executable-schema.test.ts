import { graphql, parse, subscribe } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildExecutableSchema } from './executable-schema.ts';

const sdl = 'type Query { hello(name: String!): String, plain: Int } type Subscription { ticks: Int }';

describe('buildExecutableSchema', () => {
  it('attaches function resolvers and { subscribe, resolve } objects; fields without one use the default resolver', async () => {
    const schema = buildExecutableSchema(sdl, {
      Query: { hello: (_: unknown, args: { name: string }) => `hello ${args.name}` },
      Subscription: {
        ticks: {
          async *subscribe() {
            yield { n: 1 };
            yield { n: 2 };
          },
          resolve: (payload: { n: number }) => payload.n * 10,
        },
      },
    });
    expect(await graphql({ schema, source: '{ hello(name: "ann") plain }', rootValue: { plain: 7 } })).toEqual({ data: { hello: 'hello ann', plain: 7 } });
    const stream = await subscribe({ schema, document: parse('subscription { ticks }') });
    if (!(Symbol.asyncIterator in stream)) throw new Error('expected a stream');
    const seen = [];
    for await (const result of stream) seen.push(result.data?.ticks);
    expect(seen).toEqual([10, 20]);
  });

  it('fails at build time for a type or field the SDL lacks, or a resolver of the wrong shape', () => {
    expect(() => buildExecutableSchema(sdl, { Customer: {} })).toThrow('resolvers.Customer: the schema has no type Customer');
    expect(() => buildExecutableSchema(sdl, { Query: { helo: () => 1 } })).toThrow('resolvers.Query.helo: Query has no field helo; it has hello, plain');
    expect(() => buildExecutableSchema(sdl, { Query: { plain: 3 } })).toThrow('resolvers.Query.plain: must be a function or { resolve, subscribe }, but got number');
    expect(() => buildExecutableSchema(`${sdl} enum E { A }`, { E: { A: 'a' } })).toThrow('resolvers.E: only object types take field resolvers here, but E is not one');
  });
});
