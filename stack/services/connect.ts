// Kafka Connect (distributed worker, one node) with the Debezium PostgreSQL connector on its plugin path.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FatalWaitError, isAlive, startDetached, tailFile, waitUntil } from '../processes.ts';
import { connectWorkerProperties, debeziumConnectorConfig, names, renderProperties } from '../settings.ts';
import { jvmArgs, log4jProperties, type JavaRuntime } from './kafka.ts';

export interface ConnectRuntime extends JavaRuntime {
  readonly dir: string; // <run>/connect
  readonly restPort: number;
  readonly brokers: string;
  /** Directory whose sub-directories are Connect plugins (the Debezium connector among them). */
  readonly pluginPath: string;
}

export function connectUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

export function startConnect(rt: ConnectRuntime): number {
  mkdirSync(rt.dir, { recursive: true });
  const props = join(rt.dir, 'worker.properties');
  writeFileSync(props, renderProperties(connectWorkerProperties({ brokers: rt.brokers, restPort: rt.restPort, pluginPath: rt.pluginPath })));
  writeFileSync(join(rt.dir, 'log4j2.properties'), log4jProperties());
  const { pid } = startDetached(
    rt.java,
    [...jvmArgs(768, join(rt.dir, 'log4j2.properties')), '-cp', `${rt.libs}/*`, 'org.apache.kafka.connect.cli.ConnectDistributed', props],
    { logFile: join(rt.dir, 'connect.log'), cwd: rt.dir },
  );
  return pid;
}

async function getJson(url: string, timeoutMs = 2000): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

interface ConnectorStatus {
  connector?: { state?: string; trace?: string };
  tasks?: Array<{ id: number; state?: string; trace?: string }>;
}

/** Waits for the worker's REST API and for the Debezium plugin to be loaded. */
export async function waitForConnectWorker(rt: ConnectRuntime, pid: number, timeoutMs: number): Promise<void> {
  const log = join(rt.dir, 'connect.log');
  await waitUntil(
    async () => {
      const { status, body } = await getJson(`${connectUrl(rt.restPort)}/connector-plugins`);
      if (status !== 200 || !Array.isArray(body)) return undefined;
      const found = body.some((p: { class?: string }) => p.class === 'io.debezium.connector.postgresql.PostgresConnector');
      if (!found) throw new FatalWaitError(`the worker is up but did not load the Debezium PostgreSQL plugin from ${rt.pluginPath}`);
      return true;
    },
    {
      timeoutMs,
      intervalMs: 500,
      abortIf: () => (isAlive(pid) ? undefined : `Kafka Connect exited during start-up. Its log:\n${tailFile(log)}`),
      describe: () => `Kafka Connect's REST API did not come up on ${connectUrl(rt.restPort)} within ${timeoutMs} ms. Its log:\n${tailFile(log)}`,
    },
  );
}

/** Registers (or updates) the Debezium connector and waits until it and its task report RUNNING. */
export async function registerDebezium(rt: ConnectRuntime, pgPort: number, timeoutMs: number): Promise<void> {
  const url = `${connectUrl(rt.restPort)}/connectors/${names.debeziumConnector}`;
  await waitUntil(
    async () => {
      const res = await fetch(`${url}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(debeziumConnectorConfig({ pgPort })),
        signal: AbortSignal.timeout(10_000),
      });
      // 409: the worker is rebalancing; try again.
      if (res.status === 200 || res.status === 201) return true;
      throw new Error(`PUT ${url}/config answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
    },
    { timeoutMs, intervalMs: 500, describe: () => `Kafka Connect did not accept the Debezium connector within ${timeoutMs} ms` },
  );
  let last: ConnectorStatus | undefined;
  await waitUntil(
    async () => {
      const { status, body } = await getJson(`${url}/status`);
      if (status !== 200) return undefined;
      last = body as ConnectorStatus;
      const failed = [last.connector, ...(last.tasks ?? [])].find((s) => s?.state === 'FAILED');
      if (failed) throw new FatalWaitError(`the Debezium connector FAILED: ${(failed.trace ?? '').split('\n').slice(0, 6).join('\n')}`);
      const running = last.connector?.state === 'RUNNING' && (last.tasks ?? []).length > 0 && last.tasks!.every((t) => t.state === 'RUNNING');
      return running ? true : undefined;
    },
    {
      timeoutMs,
      intervalMs: 300,
      describe: () => `the Debezium connector did not reach RUNNING within ${timeoutMs} ms (last status: ${JSON.stringify(last)})`,
    },
  ).catch((err: unknown) => {
    throw err instanceof Error ? new Error(`${err.message}\nConnect log:\n${tailFile(join(rt.dir, 'connect.log'), 15)}`) : err;
  });
}

export async function connectorRunning(restPort: number): Promise<boolean> {
  try {
    const { status, body } = await getJson(`${connectUrl(restPort)}/connectors/${names.debeziumConnector}/status`);
    const s = body as ConnectorStatus;
    return status === 200 && s.connector?.state === 'RUNNING' && (s.tasks ?? []).every((t) => t.state === 'RUNNING');
  } catch {
    return false;
  }
}
