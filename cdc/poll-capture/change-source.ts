// The pluggable part of the poll capture (STYLE.md 1): a ChangeSource pages through the records an API reports as
// changed since a position it defines itself. The capture never looks inside a position; it stores the `next` one
// once what came before it is safely on Kafka, and hands it back on the next call.

/** One changed record, as the source's API returned it. */
export interface ChangeRecord {
  /** The record's id: the Kafka message key is {"id": id}. */
  readonly id: string;
  /** When this version was written (ms since epoch, the source's own stamp). */
  readonly updatedAtMs: number;
  /** The same stamp in µs when the source's stamp is finer than a millisecond; else updatedAtMs × 1000 is used. */
  readonly updatedAtUs?: number;
  /** When the record was created (ms since epoch), if the source says: decides "c" versus "u". */
  readonly createdAtMs?: number;
  /** The record exactly as the API returned it: the envelope's `after`. */
  readonly record: Readonly<Record<string, unknown>>;
}

export interface ChangePage {
  /** In the source's change order (oldest stamp first). */
  readonly records: readonly ChangeRecord[];
  /** The position to ask next; stored only once these records were acknowledged by Kafka. */
  readonly next: string;
  /** True when more changes follow right away: the capture asks again with `next` in the same poll. */
  readonly hasMore: boolean;
  /**
   * The lowest updatedAt this poll's window can contain (ms): a record created at or after it and never produced
   * before is reported as "c". Undefined when the source cannot tell (then every change is "u").
   */
  readonly windowStartMs?: number;
}

export interface ChangeSource {
  /** The system's name: `source.db` and `source.schema` of every envelope, and the default topic unics.<system>.<table>. */
  readonly system: string;
  /** The record type: `source.table`, e.g. "contacts". */
  readonly table: string;
  /**
   * How far back (ms) each poll re-reads before the newest stamp it has seen, for changes that become visible later
   * than their stamp. Heartbeats claim this much less. Default 0.
   */
  readonly overlapMs?: number;
  /**
   * The changes after `position` (null: from the very beginning, the initial load), at most `limit` of them.
   * Honours `signal` (passed down to the socket). Fails with a CONN_ERR_* error when the API fails or answers
   * something unreadable, and with CDC_ERR_POSITION_INVALID for a position it cannot read.
   */
  fetchChanges(position: string | null, signal: AbortSignal, limit: number): Promise<ChangePage>;
  /** Releases the source's connections. The capture does not call it: whoever created the source closes it. */
  close(): Promise<void>;
}
