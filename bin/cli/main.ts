/**
 * The command table and dispatcher of the corridor CLI, importable so tests can run it in
 * process. The top-level help gives each command one line; every subcommand has its own --help
 * with an example; a group (`corridor license --help`) lists its subcommands. Errors become exit
 * codes (output.ts EXIT) in one place.
 */
import { readFileSync } from 'node:fs';
import { ExchangeUnavailableError, UntrustedResponseError } from '../../lambdas/client/corridor-client.ts';
import * as agency from './commands/agency.ts';
import * as agreement from './commands/agreement.ts';
import * as audit from './commands/audit.ts';
import * as auditKeys from './commands/audit-keys.ts';
import * as bootstrap from './commands/bootstrap.ts';
import * as consultation from './commands/consultation.ts';
import * as delivery from './commands/delivery.ts';
import * as denial from './commands/denial.ts';
import * as drawdown from './commands/drawdown.ts';
import * as euc from './commands/euc.ts';
import * as keygen from './commands/keygen.ts';
import * as keys from './commands/keys.ts';
import * as license from './commands/license.ts';
import * as notifications from './commands/notifications.ts';
import * as refan from './commands/notifications-refan.ts';
import * as psv from './commands/psv.ts';
import * as screening from './commands/screen.ts';
import * as serve from './commands/serve.ts';
import { UsageError } from './context.ts';
import { EXIT, EXIT_HELP, fail, out, type ExitCode } from './output.ts';

type Run = (argv: string[]) => Promise<number>;

export const COMMANDS: Record<string, { run: Run; help: string }> = {
  serve: { run: serve.run, help: serve.help },
  keygen: { run: keygen.run, help: keygen.help },
  bootstrap: { run: bootstrap.run, help: bootstrap.help },
  'agency register': { run: agency.register, help: agency.registerHelp },
  'agency keys': { run: agency.keys, help: agency.keysHelp },
  'agreement put': { run: agreement.put, help: agreement.putHelp },
  'agreement list': { run: agreement.listAgreements, help: agreement.listHelp },
  subscribe: { run: notifications.subscribe, help: notifications.subscribeHelp },
  'notifications list': { run: notifications.listNotifications, help: notifications.listHelp },
  'notifications listen': { run: notifications.listen, help: notifications.listenHelp },
  'notifications refan': { run: refan.refan, help: refan.refanHelp },
  'license publish': { run: license.publish, help: license.publishHelp },
  'license status': { run: license.status, help: license.statusHelp },
  'license verify': { run: license.verify, help: license.verifyHelp },
  'license drawdown': { run: drawdown.drawdown, help: drawdown.drawdownHelp },
  'license drawdowns': { run: drawdown.listDrawdowns, help: drawdown.drawdownsHelp },
  'delivery confirm': { run: delivery.confirm, help: delivery.confirmHelp },
  'delivery list': { run: delivery.listDeliveries, help: delivery.listHelp },
  'psv request': { run: psv.request, help: psv.requestHelp },
  'psv report': { run: psv.report, help: psv.reportHelp },
  'psv query': { run: psv.query, help: psv.queryHelp },
  'euc publish': { run: euc.publish, help: euc.publishHelp },
  'euc status': { run: euc.status, help: euc.statusHelp },
  'euc query': { run: euc.query, help: euc.queryHelp },
  'denial notify': { run: denial.notify, help: denial.notifyHelp },
  'denial revoke': { run: denial.revoke, help: denial.revokeHelp },
  screen: { run: screening.screen, help: screening.help },
  'consultation open': { run: consultation.open, help: consultation.openHelp },
  'consultation answer': { run: consultation.answer, help: consultation.answerHelp },
  'consultation list': { run: consultation.list, help: consultation.listHelp },
  'audit seal': { run: audit.seal, help: audit.sealHelp },
  'audit query': { run: audit.query, help: audit.queryHelp },
  'audit verify': { run: audit.verify, help: audit.verifyHelp },
  'audit keys': { run: auditKeys.keys, help: auditKeys.keysHelp },
  'keys rotate': { run: keys.rotate, help: keys.help },
};

/** One line per command for the top-level help; a command missing here shows the first description line of its help. */
const SUMMARIES: Record<string, string> = {
  serve: 'the whole exchange on this machine (npm start)',
  keygen: 'a key pair: private JWK file, public JWK file and entry (or the public JWK of a KMS key)',
  bootstrap: 'operator: the first operator agency of a deployed stack, straight into storage',
  'agency register': 'operator: create an agency or change its name, roles, status and keys',
  'agency keys': 'an agency adds, retires or revokes its own keys',
  'agreement put': "data owner: grant or withdraw a partner's permissions",
  subscribe: 'where the exchange POSTs your notifications, and which types (or show the current subscription)',
  'notifications list': 'the notifications addressed to you (30 days), each checked offline',
  'notifications listen': 'a receiver on 127.0.0.1 that verifies and prints each notification',
  'notifications refan': 'operator: make the notifications the notifier missed (StreamFailuresAlarm), straight in storage',
  'license publish': 'licensing: sign and publish a license (or a new version of it)',
  'license status': 'licensing: suspend, revoke or reactivate a license',
  'license verify': "customs: check a shipment against a partner's license",
  'license drawdown': 'customs: record a declaration against license lines',
  'license drawdowns': 'licensing: the drawdowns recorded against a license',
  'delivery confirm': 'customs: confirm that goods shipped under a license arrived (import declaration)',
  'delivery list': 'licensing: shipped, delivered and outstanding per license line, with flags (customs: its own)',
  'psv request': 'licensing: ask a partner agency for a post-shipment end-use check',
  'psv report': 'checking agency: sign and submit the report on a case (or a correction)',
  'psv query': 'a case with its status and signed report, or your cases',
  'euc publish': 'euc-issuer: sign and publish an end-use certificate',
  'euc status': 'euc-issuer: suspend, revoke or reactivate an end-use certificate',
  'euc query': 'confirm an end-use certificate with the government that issued it',
  'denial notify': 'licensing: sign and share a denial (or an amendment of it)',
  'denial revoke': 'licensing: withdraw a denial',
  screen: 'screen parties (one, or a CSV file) against the denials you may see',
  'consultation open': "licensing: consult the authority that denied an essentially identical transaction",
  'consultation answer': 'licensing: answer a consultation on your denial (maintained, withdrawn, information)',
  'consultation list': 'licensing: your consultations, both sides, with state and deadline',
  'audit seal': 'operator: seal the pending audit events now, straight in storage',
  'audit query': 'auditor: the audit events in your scope',
  'audit verify': 'auditor: check seals, their chain and your events offline',
  'audit keys': "auditor: an agency's (or the exchange's) key history rebuilt from sealed events, and the keys active at a time",
  'keys rotate': 'operator: a new exchange response signing key, straight in storage',
};

export function summary(name: string): string {
  return SUMMARIES[name] ?? COMMANDS[name]?.help.split('\n').find((l) => /^ {2}\S/.test(l) && !l.startsWith('  Example:'))?.trim() ?? '';
}

export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const GROUPS = [...new Set(Object.keys(COMMANDS).filter((c) => c.includes(' ')).map((c) => c.split(' ')[0]!))];

const COMMON = `Options of every command that talks to the exchange:
  --url URL          the exchange (default: $CORRIDOR_URL, else $CORRIDOR_HOME/local.json of \`npm start\`)
  --as AGENCY        who signs (default: the local operator)
  --key FILE         its private JWK (default: $CORRIDOR_HOME/keys/AGENCY.private.jwk.json, or of AGENCY-<n>.private.jwk.json the one whose key is active)
  --kms-key KEY --kid KID   sign with an AWS KMS ECC_NIST_P256 key instead (AWS_REGION, credentials from the environment)
  --retries N        resend on 429/503 up to N times, each with a new jti, backing off with jitter (default 3, $CORRIDOR_RETRIES)
  --cert FILE --cert-key FILE   client certificate and its key (PEM) for an exchange behind mutual TLS ($CORRIDOR_CLIENT_CERT, $CORRIDOR_CLIENT_KEY)
  --ca FILE          the CA certificates (PEM) to trust for the exchange's server certificate ($CORRIDOR_CA)
  --json             one JSON document on stdout (the verified answer, or {"error": …}); messages on stderr
${EXIT_HELP}`;

const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));

export const USAGE = `usage: corridor <command> [options]      corridor <command> --help shows one command with an example
       corridor --version
commands:
${Object.keys(COMMANDS).map((c) => `  corridor ${c.padEnd(width)}  ${summary(c)}`).join('\n')}
${COMMON}
Example: corridor license verify --as NL-DOUANE --issuer DE-BAFA --license DE-2026-000123 --date 2026-11-22 --destination SG --item 6A003.b.4=5`;

const isHelp = (a: string | undefined): boolean => a === '--help' || a === '-h' || a === 'help';

/** What to do about a TLS failure, from the Node error code in the message (mutual TLS: docs/cli.md). */
function tlsHint(message: string): string {
  if (/ALERT_(CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|ACCESS_DENIED)/.test(message)) {
    return ' — the exchange wants a client certificate it trusts (mutual TLS): give --cert FILE --cert-key FILE, or set CORRIDOR_CLIENT_CERT and CORRIDOR_CLIENT_KEY';
  }
  if (/SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF|UNABLE_TO_GET_ISSUER_CERT/.test(message)) return " — the exchange's server certificate is not from a CA this machine trusts: give --ca FILE, or set CORRIDOR_CA";
  // TLS 1.3: a server that refuses the client's certificate may just close the connection.
  if (/at https:.*ECONNRESET/.test(message)) return ' — if the exchange requires mutual TLS, it did not accept the client certificate (or none was given: --cert FILE --cert-key FILE)';
  return '';
}

export async function main(argv: string[]): Promise<ExitCode | number> {
  const json = argv.includes('--json');
  const two = `${argv[0]} ${argv[1]}`;
  const name = COMMANDS[two] ? two : argv[0] ?? '';
  const cmd = COMMANDS[name];
  if (!cmd) {
    if (argv[0] === '--version' || argv[0] === '-V') {
      out(json ? JSON.stringify({ version: VERSION }) : `corridor ${VERSION}`);
      return EXIT.ok;
    }
    if (argv.length === 0 || isHelp(argv[0])) {
      out(USAGE);
      return EXIT.ok;
    }
    if (GROUPS.includes(name)) {
      const helps = Object.entries(COMMANDS).filter(([c]) => c.startsWith(`${name} `)).map(([, c]) => c.help).join('\n\n');
      if (isHelp(argv[1])) {
        out(`${helps}\n\n${COMMON}`);
        return EXIT.ok;
      }
      return fail(name, EXIT.usage, argv[1] ? `unknown subcommand '${argv[1]}'` : 'which one?', json, helps);
    }
    return fail(name, EXIT.usage, 'unknown command', json, USAGE);
  }
  const rest = argv.slice(name.split(' ').length);
  if (rest.some(isHelp)) {
    out(`${cmd.help}\n\n${name === 'keygen' || name === 'serve' ? EXIT_HELP : COMMON}`);
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) return fail(name, EXIT.usage, e.message, json, cmd.help);
    if (e instanceof ExchangeUnavailableError) return fail(name, EXIT.unavailable, `exchange unavailable — ${e.message}${tlsHint(e.message)}`, json);
    if (e instanceof UntrustedResponseError) return fail(name, EXIT.untrusted, `untrusted answer — ${e.message}`, json);
    return fail(name, EXIT.refused, (e as Error).message, json);
  }
}
