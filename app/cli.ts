#!/usr/bin/env node
// The `unics` command (npx unics ...). Subcommands join as their modules land (token, new connector, views rebuild).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { newConnector, ScaffoldError } from './scaffold/new-connector.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const usage = `Usage: unics <command>

Commands:
  new connector <name> --kind rest|soap|xml|graphql|sql [--dir <dir>]
             write a working connector definition, its contract test and a README into <dir>/<name>/
             (default connectors/custom/<name>/); the test runs against the matching demo simulator
  version    print the UniCS version
  help       show this help

Start the server with \`npm start\`; manage the local services with \`npm run stack -- up|down|status|env\`.`;

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'new': {
    try {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { kind: { type: 'string' }, dir: { type: 'string' } } });
      const [what, name] = positionals;
      if (what !== 'connector') throw new ScaffoldError(`unics new: expected "connector", but got ${JSON.stringify(what ?? '')}`);
      const made = newConnector({ name, kind: values.kind, dir: values.dir, cwd: process.cwd() });
      const where = relative(process.cwd(), made.dir) || '.';
      process.stdout.write(`created ${where}/\n${made.files.map((f) => `  ${f}`).join('\n')}\nnext: npx vitest run ${where}\n`);
    } catch (err) {
      process.stderr.write(`unics: ${(err as Error).message}\n`);
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
