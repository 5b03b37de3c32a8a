// The Kafka messages a poll capture writes (pure): Debezium-format change envelopes keyed by {"id"}, and Debezium
// heartbeats, so decodeChangeEvent reads polled systems exactly like databases captured by Debezium.

export const POLL_CAPTURE_VERSION = 'unics-poll/1';
export const POLL_CAPTURE_CONNECTOR = 'unics-poll';

export type PollOp = 'r' | 'c' | 'u';
/** Debezium's source.snapshot values: "true" inside the initial load, "last" on its last record, else "false". */
export type SnapshotFlag = 'true' | 'last' | 'false';

export interface KafkaMessage {
  readonly key: string;
  readonly value: string;
}

export interface ChangeMessageInput {
  /** The capture's name: source.name. */
  readonly capture: string;
  /** source.db and source.schema. */
  readonly system: string;
  readonly table: string;
  readonly id: string;
  readonly op: PollOp;
  readonly snapshot: SnapshotFlag;
  readonly before: Readonly<Record<string, unknown>> | null;
  /** The record as the source returned it, already serialized (it is also what the capture remembers). */
  readonly afterJson: string;
  /** The record's updatedAt (ms): source.ts_ms. */
  readonly sourceTsMs: number;
  /** Grows with every version of the same record (µs of its updatedAt, see last-versions.ts). */
  readonly lsn: number;
  /** When the capture produced it (ms): the envelope's ts_ms. */
  readonly nowMs: number;
}

export function changeMessage(m: ChangeMessageInput): KafkaMessage {
  const source = {
    version: POLL_CAPTURE_VERSION,
    connector: POLL_CAPTURE_CONNECTOR,
    name: m.capture,
    ts_ms: m.sourceTsMs,
    snapshot: m.snapshot,
    db: m.system,
    schema: m.system,
    table: m.table,
    lsn: m.lsn,
  };
  // `after` is spliced in as the source's own JSON text: no re-serialization, and byte-for-byte what the API sent
  // (after JSON.parse) for consumers.
  const value = `{"before":${JSON.stringify(m.before)},"after":${m.afterJson},"op":"${m.op}","source":${JSON.stringify(source)},"ts_ms":${m.nowMs}}`;
  return { key: JSON.stringify({ id: m.id }), value };
}

/** Debezium's heartbeat: key {"serverName"}, value {"ts_ms"}: everything up to tsMs was captured. */
export function heartbeatMessage(capture: string, tsMs: number): KafkaMessage {
  return { key: JSON.stringify({ serverName: capture }), value: JSON.stringify({ ts_ms: tsMs }) };
}

/**
 * The op of a change after the initial load: "c" when the poller has not produced the record before and it was
 * created inside this poll's window (createdAt >= the window's start), else "u". A record created and changed
 * between two polls is seen once, as "c". Consumers should treat "c" and "u" alike (an upsert ordered by lsn): after
 * a restart the poller has forgotten what it produced, so a re-read record can come again as "c" or "u".
 */
export function changeOp(known: boolean, createdAtMs: number | undefined, windowStartMs: number | undefined): 'c' | 'u' {
  return !known && createdAtMs !== undefined && windowStartMs !== undefined && createdAtMs >= windowStartMs ? 'c' : 'u';
}
