// The sql connector kind: PostgreSQL through a pg pool; entities are queries taking the batch's keys as a text[],
// commands are statements fed from named input fields. See README.md for the configuration.
import type { ConnectorKind } from '../connector.ts';
import { sqlConfigSchema, type SqlConfig } from './sql-config.ts';
import { createSqlConnector } from './sql-connector.ts';

export const sqlKind = {
  kind: 'sql',
  description: 'PostgreSQL: entities are queries taking the keys as a text[] in $1, commands are statements with named parameters',
  configSchema: sqlConfigSchema,
  create: createSqlConnector,
} satisfies ConnectorKind<SqlConfig>;

export { createSqlConnector } from './sql-connector.ts';
export { sqlConfigSchema, type SqlCommandConfig, type SqlConfig, type SqlEntityConfig } from './sql-config.ts';
export { mapPgError } from './map-pg-error.ts';
