/** `corridor serve` (`npm start`): the whole exchange on this machine until Ctrl-C. */
import { EmulatorMissingError } from '../../../lambdas/local/emulator.ts';
import { corridorHome } from '../../../lambdas/local/local-file.ts';
import { seedDemo } from '../../../lambdas/local/demo.ts';
import { startHints } from '../../../lambdas/local/hints.ts';
import { serve } from '../../../lambdas/local/serve.ts';
import { parse } from '../context.ts';
import { EXIT, err, out as stdout } from '../output.ts';

export const help = `corridor serve [--demo]      (npm start, npm start -- --demo)
  Starts moto_server on a free loopback port (or uses CORRIDOR_AWS_ENDPOINT), creates the tables and
  keys, bootstraps the operator, serves the exchange on 127.0.0.1 (CORRIDOR_PORT or a free port) and
  writes $CORRIDOR_HOME/local.json. --demo also registers DE-BAFA (licensing), NL-DOUANE (customs) and
  SG-MTI (end-use certificates), agreements, a signed certificate and a signed license.
  With --json, stdout is one line: local.json's content once the exchange serves; messages go to stderr.
  Example: npm start -- --demo   (or: corridor serve --demo --json)`;

export async function run(argv: string[]): Promise<number> {
  const v = parse(argv, { demo: { type: 'boolean', default: false } });
  // With --json stdout carries only local.json's content; everything for humans goes to stderr.
  const out = v.json ? err : stdout;
  const home = corridorHome();
  let running;
  try {
    // With --json the exchange's JSON log lines go to stderr too: stdout is local.json's line only.
    running = await serve({ home, env: process.env, say: out, ...(v.json ? { logs: process.stderr } : {}) });
  } catch (e) {
    if (e instanceof EmulatorMissingError) {
      process.stderr.write(`${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  const { file } = running;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    out('\nstopping: server, then moto_server');
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  out(`Corridor exchange ${file.exchangeId} serving on ${file.url}`);
  out(`  operator ${file.operator.agencyId}, key ${file.operator.privateJwkFile}`);
  out(`  wrote ${home}/local.json`);
  if (v.demo) {
    const lines = await seedDemo(home, file);
    out('\nDemo data: DE-BAFA (licensing), NL-DOUANE (customs), SG-MTI (end-use certificates), SG-CUSTOMS (destination customs), agreements, certificate SG-EUC-88121 and license DE-2026-000123; license DE-2026-000098 shipped, delivery confirmed and checked on site (case PSV-2026-001, reported). Try:');
    for (const l of lines) out(`  ${l}`);
  } else {
    out('\nTry this next (in another terminal):');
    for (const l of startHints(home, file.url)) out(`  ${l}`);
    out('  or restart with `npm start -- --demo` for ready-made agencies and a license.');
  }
  out('\nCtrl-C stops the exchange and moto_server.');
  if (v.json) stdout(JSON.stringify(file));
  return new Promise<number>(() => {}); // serve until a signal
}
