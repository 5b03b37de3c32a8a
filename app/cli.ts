#!/usr/bin/env node
// The `unics` command (npx unics ...): token, new connector, new intent, views rebuild, version.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { newConnector, ScaffoldError } from './scaffold/new-connector.ts';
import { newIntent } from './scaffold/new-intent.ts';
import { signDevToken } from '../gateway/auth/sign-dev-token.ts';
import { authSettings } from './auth-settings.ts';
import { loadConfig } from './config.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const usage = `Usage: unics <command>

Commands:
  new connector <name> --kind rest|soap|xml|graphql|sql [--dir <dir>]
             write a working connector definition, its contract test and a README into <dir>/<name>/
             (default connectors/custom/<name>/); the test runs against the matching demo simulator
  new intent <name> [--dir <dir>]
             write a working intent plugin for the service assistant, its test and a README into <dir>/<name>/
             (default assistant/custom/<name>/); enable it under assistant.modules in unics.yaml
  token [--role agent] [--tenant demo] [--subject dev-user] [--expires 8h]
             print a signed JWT for the configured development secret (UNICS_JWT_SECRET, auth.hs256Secret in
             UNICS_CONFIG, or the demo default); --role may be repeated (agent, supervisor, refunds)
  views rebuild [--tenant demo] [--clear] [--via snapshot|debezium]
             rebuild the customer views from a PostgreSQL snapshot of the shop and a full read of the captured
             systems (config.capture), while the gateway and the pipeline keep running; --clear drops the
             tenant's views first (reads go live until each view is back). Needs REDIS_URL and DATABASE_URL.
             --via debezium asks the Debezium connector for an incremental snapshot of the shop's tables instead
             and waits until the running view pipeline applied it (also needs KAFKA_BROKERS).
  version    print the UniCS version
  help       show this help

Start the server with \`npm start\`; manage the local services with \`npm run stack -- up|down|status|env\`.`;

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'new': {
    try {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { kind: { type: 'string' }, dir: { type: 'string' } } });
      const [what, name] = positionals;
      if (what !== 'connector' && what !== 'intent') throw new ScaffoldError(`unics new: expected "connector" or "intent", but got ${JSON.stringify(what ?? '')}`);
      if (what === 'intent' && values.kind !== undefined) throw new ScaffoldError('unics new intent: --kind is for connectors; an intent plugin has no kind');
      const made = what === 'intent' ? newIntent({ name, dir: values.dir, cwd: process.cwd() }) : newConnector({ name, kind: values.kind, dir: values.dir, cwd: process.cwd() });
      const where = relative(process.cwd(), made.dir) || '.';
      process.stdout.write(`created ${where}/\n${made.files.map((f) => `  ${f}`).join('\n')}\nnext: npx vitest run ${where}\n`);
    } catch (err) {
      process.stderr.write(`unics: ${(err as Error).message}\n`);
      process.exitCode = 2;
    }
    break;
  }
  case 'token': {
    try {
      const { values } = parseArgs({
        args: rest,
        options: { role: { type: 'string', multiple: true }, tenant: { type: 'string' }, subject: { type: 'string' }, expires: { type: 'string', default: '8h' } },
      });
      // Only the auth section matters here; the demo flag is irrelevant to signing.
      const config = loadConfig(process.env);
      const auth = authSettings(config.auth);
      if (auth.hs256Secret === undefined) {
        throw new Error('unics token: auth uses a JWKS (auth.jwksUrl), so tokens come from your identity provider, not from here.');
      }
      const tenant = values.tenant ?? config.auth.tenants[0] ?? 'demo';
      if (!config.auth.tenants.includes(tenant)) {
        process.stderr.write(`unics token: warning: tenant "${tenant}" is not in auth.tenants (${config.auth.tenants.join(', ')}); the gateway will answer 403.\n`);
      }
      const token = await signDevToken({ secret: auth.hs256Secret, tenant, roles: values.role ?? ['agent'], subject: values.subject ?? 'dev-user', expiresIn: values.expires });
      process.stdout.write(`${token}\n`);
    } catch (err) {
      process.stderr.write(`${(err as Error).message.startsWith('unics') ? '' : 'unics token: '}${(err as Error).message}\n`);
      process.exitCode = 2;
    }
    break;
  }
  case 'views': {
    try {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { tenant: { type: 'string' }, clear: { type: 'boolean', default: false }, via: { type: 'string', default: 'snapshot' } } });
      if (values.via !== 'snapshot' && values.via !== 'debezium') throw new Error(`unics views rebuild: --via must be "snapshot" or "debezium", but got ${JSON.stringify(values.via)}`);
      if (positionals[0] !== 'rebuild') throw new Error(`unics views: expected "rebuild", but got ${JSON.stringify(positionals[0] ?? '')}`);
      const { runViewsRebuild } = await import('./views-rebuild.ts');
      const report = await runViewsRebuild(loadConfig(process.env), { progress: process.stderr, clear: values.clear, via: values.via, ...(values.tenant ? { tenant: values.tenant } : {}) });
      for (const r of report.rejected.slice(0, 10)) process.stderr.write(`unics views rebuild: rejected a row of ${r.table}: ${r.reason}\n`);
      if (report.rejected.length > 0) process.exitCode = 1;
    } catch (err) {
      process.stderr.write(`${(err as Error).message.startsWith('unics') ? '' : 'unics views rebuild: '}${(err as Error).message}\n`);
      process.exitCode = 2;
    }
    break;
  }
  case 'version':
  case '--version':
  case '-v':
    process.stdout.write(`${pkg.version}\n`);
    break;
  case undefined:
  case 'help':
  case '--help':
  case '-h':
    process.stdout.write(`${usage}\n`);
    break;
  default:
    process.stderr.write(`unics: unknown command ${JSON.stringify(command)}\n\n${usage}\n`);
    process.exitCode = 2;
}
