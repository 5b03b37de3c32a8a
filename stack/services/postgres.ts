// PostgreSQL from Debian's packages: own data directory and port, logical WAL for Debezium, loopback only.
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { run, runToCompletion, startDetached, waitUntil, tailFile, isAlive } from '../processes.ts';
import { names, postgresSettings } from '../settings.ts';

export interface PostgresRuntime {
  readonly binDir: string;
  readonly dir: string; // <run>/postgres
  readonly port: number;
  /** When running as root, PostgreSQL refuses to start; it runs as this unprivileged user instead. */
  readonly user: { uid: number; gid: number; name: string } | undefined;
}

export function postgresUrl(port: number, database: string = names.database): string {
  return `postgres://${names.databaseUser}:${names.databasePassword}@127.0.0.1:${port}/${database}`;
}

/** The unprivileged account PostgreSQL runs as when the stack runs as root (Debian's package creates `postgres`). */
export function postgresAccount(isRoot: boolean): PostgresRuntime['user'] {
  if (!isRoot) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const name of ['postgres', 'unics-pg']) {
    const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
    if (line) {
      const [, , uid, gid] = line.split(':');
      return { uid: Number(uid), gid: Number(gid), name };
    }
  }
  runToCompletion('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'unics-pg'], {
    what: 'creating the unprivileged user unics-pg for PostgreSQL',
  });
  return postgresAccount(isRoot);
}

/**
 * PostgreSQL runs as an unprivileged user when the stack runs as root; every directory above its data directory
 * must let that user through, or initdb fails with a bare "Permission denied".
 */
export function assertReachable(dir: string, user: NonNullable<PostgresRuntime['user']>): void {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(d)) {
      const st = statSync(d);
      const through = st.uid === user.uid ? st.mode & 0o100 : st.gid === user.gid ? st.mode & 0o010 : st.mode & 0o001;
      if (!through) {
        throw new Error(
          `PostgreSQL runs as the unprivileged user "${user.name}" (it refuses to run as root), but that user cannot enter ` +
            `${d} (mode ${(st.mode & 0o777).toString(8)}). Set UNICS_STACK_DIR to a directory under one others can enter, ` +
            `such as /tmp, or run: chmod o+x ${d}`,
        );
      }
    }
    if (d === dirname(d)) return;
  }
}

/** Creates the cluster (initdb) and writes its configuration. */
export async function initPostgres(rt: PostgresRuntime): Promise<void> {
  const data = join(rt.dir, 'data');
  if (rt.user) assertReachable(dirname(rt.dir), rt.user);
  mkdirSync(rt.dir, { recursive: true });
  if (rt.user) chownSync(rt.dir, rt.user.uid, rt.user.gid);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    await run(
      join(rt.binDir, 'initdb'),
      ['-D', data, '-U', names.databaseUser, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { what: 'initdb (creating the PostgreSQL cluster)', cwd: rt.dir, ...(rt.user ? { uid: rt.user.uid, gid: rt.user.gid } : {}) },
    );
  }
  const settings = {
    ...postgresSettings,
    port: String(rt.port),
    // TCP on loopback only; no Unix socket to collide with a system PostgreSQL.
    unix_socket_directories: "''",
  };
  appendFileSync(
    join(data, 'postgresql.conf'),
    `\n# written by unics stack\n${Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`,
  );
  // A development stack on loopback: trust local TCP connections, including replication for Debezium.
  writeFileSync(
    join(data, 'pg_hba.conf'),
    [
      'host all all 127.0.0.1/32 trust',
      'host all all ::1/128 trust',
      'host replication all 127.0.0.1/32 trust',
      'host replication all ::1/128 trust',
      '',
    ].join('\n'),
  );
  if (rt.user) chownSync(join(data, 'pg_hba.conf'), rt.user.uid, rt.user.gid);
}

export function startPostgres(rt: PostgresRuntime): number {
  const log = join(rt.dir, 'postgres.log');
  writeFileSync(log, '');
  if (rt.user) chownSync(log, rt.user.uid, rt.user.gid);
  const { pid } = startDetached(join(rt.binDir, 'postgres'), ['-D', join(rt.dir, 'data')], {
    logFile: log,
    cwd: rt.dir,
    ...(rt.user ? { uid: rt.user.uid, gid: rt.user.gid } : {}),
  });
  return pid;
}

async function query<T>(port: number, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl(port, database), connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Waits until PostgreSQL accepts queries, then creates the `unics` database if needed. */
export async function waitForPostgres(rt: PostgresRuntime, pid: number, timeoutMs: number): Promise<void> {
  await waitUntil(() => query(rt.port, 'postgres', async (c) => (await c.query('select 1')).rowCount), {
    timeoutMs,
    abortIf: () => (isAlive(pid) ? undefined : `PostgreSQL exited during start-up. Its log:\n${tailFile(join(rt.dir, 'postgres.log'))}`),
    describe: () => `PostgreSQL did not accept connections on 127.0.0.1:${rt.port} within ${timeoutMs} ms. Its log:\n${tailFile(join(rt.dir, 'postgres.log'))}`,
  });
  await query(rt.port, 'postgres', async (c) => {
    const exists = await c.query('select 1 from pg_database where datname = $1', [names.database]);
    if (exists.rowCount === 0) await c.query(`create database ${names.database}`);
  });
}

/** Whether the server answers and runs with logical WAL (what Debezium needs). */
export async function postgresHealthy(port: number): Promise<boolean> {
  try {
    return await query(port, names.database, async (c) => (await c.query('show wal_level')).rows[0]?.wal_level === 'logical');
  } catch {
    return false;
  }
}

/** Whether Debezium's replication slot exists and a walsender is streaming from it. */
export async function replicationSlotActive(port: number, slot: string): Promise<boolean> {
  return query(port, names.database, async (c) => {
    const res = await c.query('select active from pg_replication_slots where slot_name = $1', [slot]);
    return res.rows[0]?.active === true;
  });
}
