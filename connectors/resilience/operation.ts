// The one function shape the generic decorators wrap (STYLE.md 3): an input and the caller's AbortSignal. Any async
// function fits once its arguments are gathered into `input`; the signal is passed down to the I/O so that a
// timeout or a caller who gives up really cancels the request.
import type { Connector } from '../connector.ts';

export type Operation<I, O> = (input: I, signal: AbortSignal) => Promise<O>;

/** The batch-first load of the Connector contract; withSingleflight and withCache wrap functions of this shape. */
export type BatchLoad = Connector['load'];

/** Checks a numeric decorator option once, at decoration time, with a message that names it (STYLE.md 5). */
export function checkOption(decorator: string, option: string, value: number, { min = 0, integer = false } = {}): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    const what = `${integer ? 'an integer' : 'a finite number'} >= ${min}`;
    throw new TypeError(`${decorator}: ${option} must be ${what}, but got ${String(value)}`);
  }
}
