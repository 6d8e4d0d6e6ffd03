#!/usr/bin/env tsx
/**
 * The corridor CLI. Every answer from the exchange is verified against its published
 * JWKS before anything is printed. Exit codes: 0 ok, 1 refused by the exchange (or a
 * verification outcome "invalid"), 2 usage error, 3 untrusted or unreachable exchange.
 */
import { UntrustedResponseError } from '../lambdas/client/corridor-client.ts';
import * as agency from './cli/commands/agency.ts';
import * as agreement from './cli/commands/agreement.ts';
import * as audit from './cli/commands/audit.ts';
import * as bootstrap from './cli/commands/bootstrap.ts';
import * as drawdown from './cli/commands/drawdown.ts';
import * as euc from './cli/commands/euc.ts';
import * as keygen from './cli/commands/keygen.ts';
import * as keys from './cli/commands/keys.ts';
import * as license from './cli/commands/license.ts';
import * as serve from './cli/commands/serve.ts';
import { UsageError } from './cli/context.ts';
import { EXIT } from './cli/output.ts';

type Run = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Run; help: string }> = {
  serve: { run: serve.run, help: serve.help },
  keygen: { run: keygen.run, help: keygen.help },
  'agency register': { run: agency.register, help: agency.help },
  'agency keys': { run: agency.keys, help: agency.help },
  'agreement put': { run: agreement.put, help: agreement.help },
  'license publish': { run: license.publish, help: license.help },
  'license status': { run: license.status, help: license.help },
  'license verify': { run: license.verify, help: license.help },
  'license drawdown': { run: drawdown.drawdown, help: drawdown.help },
  'license drawdowns': { run: drawdown.listDrawdowns, help: drawdown.help },
  'euc publish': { run: euc.publish, help: euc.help },
  'euc status': { run: euc.status, help: euc.help },
  'euc query': { run: euc.query, help: euc.help },
  'keys rotate': { run: keys.rotate, help: keys.help },
  bootstrap: { run: bootstrap.run, help: bootstrap.help },
  'audit seal': { run: audit.seal, help: audit.help },
  'audit query': { run: audit.query, help: audit.help },
  'audit verify': { run: audit.verify, help: audit.help },
};

const USAGE = `usage: corridor <command> [options]   (--json for machine output, --help on any command)
commands: ${Object.keys(COMMANDS).join(' | ')}
common options: --url URL (default: $CORRIDOR_HOME/local.json) --as AGENCY --key PRIVATE_JWK_FILE --json`;

async function main(argv: string[]): Promise<number> {
  const two = `${argv[0]} ${argv[1]}`;
  const name = COMMANDS[two] ? two : argv[0] ?? '';
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`${USAGE}\n`);
    return argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' ? EXIT.ok : EXIT.usage;
  }
  const rest = argv.slice(name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.help}\n`);
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`corridor ${name}: ${e.message}\n${cmd.help}\n`);
      return EXIT.usage;
    }
    if (e instanceof UntrustedResponseError) {
      process.stderr.write(`corridor ${name}: untrusted answer — ${e.message}\n`);
      return EXIT.untrusted;
    }
    if (e instanceof TypeError && /fetch failed/.test(e.message)) {
      process.stderr.write(`corridor ${name}: cannot reach the exchange (${(e.cause as Error | undefined)?.message ?? e.message})\n`);
      return EXIT.untrusted;
    }
    process.stderr.write(`corridor ${name}: ${(e as Error).message}\n`);
    return EXIT.refused;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
