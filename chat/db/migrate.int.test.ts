import { afterAll, describe, expect, inject, it } from 'vitest';
import { chatCoreMigrations } from '../store/chat-migrations.ts';
import { createPgSchemas } from '../test-support/pg-schemas.ts';
import { runChatMigrations } from './migrate.ts';

const schemas = createPgSchemas(inject('stackEnv').DATABASE_URL);
afterAll(() => schemas.close());

describe('runChatMigrations (PostgreSQL)', () => {
  it('applies each script once when four instances start at the same moment', async () => {
    const first = schemas.database();
    const others = [1, 2, 3].map(() => schemas.database(first.schema));
    const migrations = [...chatCoreMigrations(), { owner: 'routing', name: '0001-queue', sql: 'create table queue (conversation_id uuid primary key references conversations (id));' }];
    const reports = await Promise.all([first, ...others].map((db) => runChatMigrations(db, migrations)));
    const applied = reports.flatMap((r) => r.applied);
    expect(applied).toEqual(migrations.map((m) => `${m.owner}/${m.name}`));
    expect(reports.filter((r) => r.applied.length === 0)).toHaveLength(3);
    const { rows } = await first.query<{ owner: string; name: string }>('select owner, name from schema_migrations order by owner, name');
    expect(rows.map((r) => `${r.owner}/${r.name}`)).toEqual(migrations.map((m) => `${m.owner}/${m.name}`));
  });
});
