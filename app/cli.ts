#!/usr/bin/env node
// The `unics` command (npx unics ...). Subcommands join as their modules land (token, new connector, views rebuild).
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const usage = `Usage: unics <command>

Commands:
  version    print the UniCS version
  help       show this help

Start the server with \`npm start\`; manage the local services with \`npm run stack -- up|down|status|env\`.`;

const [command] = process.argv.slice(2);
switch (command) {
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
