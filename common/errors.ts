// The error base every module uses (STYLE.md 4). Each module declares one catalogue with defineErrors();
// every error a client can see carries a stable code (AREA_ERR_*), an HTTP status, a GraphQL code, a WebSocket close
// code, and whether retrying can help. docs/errors.md lists every catalogue; a test keeps the two in step.

export interface ErrorSpec {
  /** Human summary for docs/errors.md: what happened and what to do. */
  readonly description: string;
  /** HTTP status when the error reaches an HTTP client. */
  readonly httpStatus: number;
  /** Whether retrying the same call may succeed (timeouts, 5xx, connection resets). */
  readonly retriable: boolean;
  /** WebSocket close code when the error ends a connection (4000–4999 are ours). */
  readonly wsClose?: number;
}

export interface ErrorOptions {
  readonly cause?: unknown;
  /** Safe, structured facts for clients and logs (never secrets). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Overrides the spec's retriable flag for this instance (e.g. a 503 from an upstream). */
  readonly retriable?: boolean;
}

export class UnicsError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly retriable: boolean;
  readonly wsClose: number | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, spec: ErrorSpec, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UnicsError';
    this.code = code;
    this.httpStatus = spec.httpStatus;
    this.retriable = options.retriable ?? spec.retriable;
    this.wsClose = spec.wsClose;
    this.details = options.details;
  }

  toJSON(): { code: string; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export type ErrorFactory = ((message: string, options?: ErrorOptions) => UnicsError) & {
  readonly code: string;
  readonly spec: ErrorSpec;
  /** True when `err` is a UnicsError with this factory's code. */
  is(err: unknown): err is UnicsError;
};

export interface ErrorCatalogue<K extends string> {
  readonly area: string;
  readonly errors: { readonly [P in K]: ErrorFactory };
}

const CODE_PATTERN = /^[A-Z]+_ERR_[A-Z0-9_]+$/;
const catalogues = new Map<string, ErrorCatalogue<string>>();

/**
 * Declares a module's error catalogue. Codes must look like `AREA_ERR_NAME` and start with the area.
 *
 *   export const connectorErrors = defineErrors('CONN', {
 *     CONN_ERR_TIMEOUT: { description: 'The upstream did not answer in time.', httpStatus: 504, retriable: true },
 *   });
 *   throw connectorErrors.errors.CONN_ERR_TIMEOUT('connector "crm": no answer within 3000 ms');
 */
export function defineErrors<const K extends string>(area: string, specs: { readonly [P in K]: ErrorSpec }): ErrorCatalogue<K> {
  if (!/^[A-Z]+$/.test(area)) {
    throw new TypeError(`defineErrors: area must be upper-case letters like "CONN", but got ${JSON.stringify(area)}`);
  }
  if (catalogues.has(area)) {
    throw new TypeError(`defineErrors: area "${area}" is already declared; each module declares one catalogue`);
  }
  const errors = {} as Record<K, ErrorFactory>;
  for (const code of Object.keys(specs) as K[]) {
    if (!CODE_PATTERN.test(code) || !code.startsWith(`${area}_ERR_`)) {
      throw new TypeError(`defineErrors: code ${JSON.stringify(code)} must look like "${area}_ERR_NAME"`);
    }
    const spec = Object.freeze({ ...specs[code] });
    assertValidSpec(code, spec);
    const factory = ((message: string, options?: ErrorOptions) => new UnicsError(code, spec, message, options)) as ErrorFactory;
    Object.defineProperties(factory, {
      code: { value: code, enumerable: true },
      spec: { value: spec, enumerable: true },
      is: { value: (err: unknown): err is UnicsError => err instanceof UnicsError && err.code === code },
    });
    errors[code] = factory;
  }
  const catalogue: ErrorCatalogue<K> = Object.freeze({ area, errors: Object.freeze(errors) });
  catalogues.set(area, catalogue as ErrorCatalogue<string>);
  return catalogue;
}

// Catch catalogue typos at load time, where the stack points at the declaration, not at the first client request.
function assertValidSpec(code: string, spec: ErrorSpec): void {
  if (typeof spec.description !== 'string' || spec.description.trim() === '') {
    throw new TypeError(`defineErrors: ${code} needs a description for docs/errors.md`);
  }
  if (!Number.isInteger(spec.httpStatus) || spec.httpStatus < 400 || spec.httpStatus > 599) {
    throw new TypeError(`defineErrors: ${code} httpStatus must be 400–599, but got ${String(spec.httpStatus)}`);
  }
  if (typeof spec.retriable !== 'boolean') {
    throw new TypeError(`defineErrors: ${code} retriable must be true or false, but got ${String(spec.retriable)}`);
  }
  // 1004–1006 and 1015 are reserved: a server must never send them in a close frame (RFC 6455 7.4.1).
  const wsClose = spec.wsClose;
  const sendable = (c: number) => Number.isInteger(c) && c >= 1000 && c <= 4999 && ![1004, 1005, 1006, 1015].includes(c);
  if (wsClose !== undefined && !sendable(wsClose)) {
    throw new TypeError(
      `defineErrors: ${code} wsClose must be a sendable WebSocket close code (1000–4999; ours are 4000–4999), ` +
        `but got ${String(wsClose)}`,
    );
  }
}

/** Every catalogue declared so far in this process (for docs checks and error mapping). */
export function listErrorCatalogues(): ReadonlyArray<ErrorCatalogue<string>> {
  return [...catalogues.values()];
}

export function isUnicsError(err: unknown): err is UnicsError {
  return err instanceof UnicsError;
}

/** Whether retrying may help: a property of the error (STYLE.md 3). Unknown errors are not retried. */
export function isRetriable(err: unknown): boolean {
  return err instanceof UnicsError ? err.retriable : false;
}

/**
 * What a client may see of any error: catalogued errors keep their code and message; everything else becomes
 * "Unexpected error" so internals (stack traces, SQL, upstream bodies) never leak (envelop useMaskedErrors).
 */
export interface PublicError {
  readonly code: string;
  readonly message: string;
  readonly httpStatus: number;
  /** Present only when the error carries details; they are documented as safe for clients. */
  readonly details?: Readonly<Record<string, unknown>>;
}

// Must equal COMMON_ERR_UNEXPECTED in error-catalogue.ts (a test holds them together; importing the catalogue here
// would make a module cycle with defineErrors).
const UNEXPECTED = { code: 'COMMON_ERR_UNEXPECTED', message: 'Unexpected error', httpStatus: 500 } as const;

export function toPublicError(err: unknown): PublicError {
  // A fresh object each time: callers may add a request id to what they send.
  if (!(err instanceof UnicsError)) return { ...UNEXPECTED };
  return err.details === undefined
    ? { code: err.code, message: err.message, httpStatus: err.httpStatus }
    : { code: err.code, message: err.message, httpStatus: err.httpStatus, details: err.details };
}
