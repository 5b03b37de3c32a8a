import { afterAll, inject } from 'vitest';
import { createPgSchemas } from '../test-support/pg-schemas.ts';
import { describeAgentToolsStore } from './test-support/agent-tools-contract.ts';

const pgSchemas = createPgSchemas(inject('stackEnv').DATABASE_URL);
afterAll(() => pgSchemas.close());

describeAgentToolsStore('PostgreSQL', async () => pgSchemas.database());
