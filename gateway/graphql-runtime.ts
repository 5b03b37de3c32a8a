// graphql-js, loaded the way Node loads it for Apollo Server and graphql-ws (its CommonJS build, graphql/index.js).
// graphql 16 ships both index.js and index.mjs without an "exports" map: Node resolves a bare `graphql` to index.js,
// while vitest (vite's resolver) picks index.mjs for source files, giving two graphql instances in tests and errors
// such as 'Cannot use GraphQLObjectType "Query" from another module or realm'. Importing the file by name keeps one
// instance everywhere. (A vitest alias `graphql -> graphql/index.js` would fix it for every module.)
export * from 'graphql/index.js';
