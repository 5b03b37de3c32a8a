// The process logger: pino, JSON lines by default, secrets redacted wherever they sit. Modules receive a Logger
// (usually a child: log.child({ module: 'cdc' })) through their factory options; they never create their own.
//
// Redaction covers (1) every key that names a secret, at any depth of the logged object and the child bindings,
// (2) passwords inside URLs in url/uri/dsn/connectionString fields, error messages, stacks and message strings,
// (3) request/response headers produced by serializers. It cannot see secrets spliced into a message with string
// concatenation: log objects, not strings (log.info({ url }, 'calling upstream')).
import pino from 'pino';
import type { DestinationStream, LevelWithSilent, Logger as PinoLogger, LoggerOptions as PinoOptions } from 'pino';
import { commonErrors } from './error-catalogue.ts';
import { createPrettyStream } from './pretty-log-stream.ts';
import { createSecretMatcher, redactSecrets, redactUrlCredentials, REDACTED } from './redact.ts';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;

export interface LoggerOptions {
  /** Default "info". */
  readonly level?: LogLevel;
  /** Appears as `name` on every line, e.g. "unics". */
  readonly name?: string;
  /** Human-readable lines instead of JSON. Default false (JSON lines, for log shippers). */
  readonly pretty?: boolean;
  /** Extra key names to redact, on top of the built-in ones (password, secret, token, authorization, ...). */
  readonly redactKeys?: readonly string[];
  /** Where lines go. Default: standard output. Tests pass a stream they read back. */
  readonly destination?: DestinationStream;
}

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

// Headers exist only after serializers (req/res) run, where the key-based pass cannot reach; pino's own path
// redaction applies to serializer output.
const SERIALIZED_HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

function checkLevel(level: unknown): LogLevel {
  if (typeof level === 'string' && (LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw commonErrors.errors.COMMON_ERR_CONFIG_INVALID(
    `log level must be one of ${LOG_LEVELS.join(', ')}, but got ${JSON.stringify(level) ?? String(level)}. ` +
      'Write "info" for normal operation or "debug" when investigating.',
    { details: { setting: 'log level', expected: LOG_LEVELS.join('|'), received: String(level) } },
  );
}

function serializeError(err: Error): Record<string, unknown> {
  // Spread drops pino's non-enumerable `raw` back-reference, which would otherwise bypass redaction.
  return { ...pino.stdSerializers.err(err) };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = checkLevel(options.level ?? 'info');
  const matcher = createSecretMatcher(options.redactKeys);
  const redact = <T>(value: T): T => redactSecrets(value, matcher, serializeError) as T;

  const pinoOptions: PinoOptions = {
    level,
    formatters: {
      log: (obj) => redact(obj),
      bindings: (bindings) => redact(bindings),
    },
    serializers: {
      // Errors were already serialized and redacted by formatters.log; anything still an Error gets the same.
      err: (value: unknown) => (value instanceof Error ? redact(serializeError(value)) : value),
    },
    redact: { paths: SERIALIZED_HEADER_PATHS, censor: REDACTED },
    hooks: {
      // Message strings (including the one pino takes from a logged error's message) lose URL passwords.
      logMethod(args, method) {
        const first: unknown = args[0];
        if (first instanceof Error && args.length === 1) {
          return method.apply(this, [first, redactUrlCredentials(first.message)]);
        }
        return method.apply(this, args.map((a: unknown) => (typeof a === 'string' ? redactUrlCredentials(a) : a)) as typeof args);
      },
    },
  };
  if (options.name !== undefined) pinoOptions.name = options.name;

  const destination = options.pretty === true ? createPrettyStream(options.destination) : options.destination;
  const root = destination === undefined ? pino(pinoOptions) : pino(pinoOptions, destination);
  // pino does not pass child bindings through formatters.bindings, so redact them on the way in. Children are
  // created with Object.create(parent), so every descendant inherits this override.
  const pinoChild = root.child;
  root.child = function child(this: Logger, bindings, childOptions) {
    return pinoChild.call(this, redact(bindings), childOptions);
  } as typeof root.child;
  return root;
}
