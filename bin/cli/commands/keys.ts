/**
 * `corridor keys rotate` (operator): a new exchange response key. Talks to storage
 * directly with AWS credentials — it is not a wire action — against the local
 * exchange's emulator (local.json) or the deployed tables (the handlers' env vars).
 */
import { parse } from '../context.ts';
import { storageServices } from '../storage.ts';
import { EXIT, out } from '../output.ts';

export const help = `corridor keys rotate [--json]
  Rotates the exchange response signing key; the previous key stays published.
  Local: uses $CORRIDOR_HOME/local.json. AWS: set CORRIDOR_EXCHANGE_ID, AWS_REGION, the table
  variables and CORRIDOR_PAYLOAD_KEY_ID as the stack outputs give them.
  Warm processes pick the new key up within CORRIDOR_RESPONSE_KEY_REFRESH_MS (default 5 min);
  rotate no more often than that, so every answer is signed by a published key.
  Example: corridor keys rotate --json`;

export async function rotate(argv: string[]): Promise<number> {
  const v = parse(argv, {});
  const r = await storageServices().responseKeys.rotate();
  if (v.json) out(JSON.stringify(r));
  else out(`response key rotated: current ${r.current}, previous ${r.previous} (still published)`);
  return EXIT.ok;
}
