/**
 * `corridor keys rotate` (operator): a new exchange response key. Talks to storage
 * directly with AWS credentials — it is not a wire action — against the local
 * exchange's emulator (local.json) or the deployed tables (the handlers' env vars).
 */
import { readConfig } from '../../../lambdas/config.ts';
import { local, parse } from '../context.ts';
import { storageServices } from '../storage.ts';
import { EXIT, out } from '../output.ts';

export const help = `corridor keys rotate [--json]
  Rotates the exchange response signing key; the previous key stays published.
  Local: uses $CORRIDOR_HOME/local.json. AWS: set CORRIDOR_EXCHANGE_ID, AWS_REGION, the table
  variables and CORRIDOR_PAYLOAD_KEY_ID as the stack outputs give them.
  New processes sign with the new key at once; warm ones re-read the key ring every
  CORRIDOR_RESPONSE_KEY_REFRESH_MS (default 5 min), so the command prints the time by which every
  answer is signed with it. Rotate no more often than that, so every answer is signed by a published key.
  Example: corridor keys rotate --json`;

/** The handlers' re-read interval: what `npm start` recorded in local.json, else the deployed environment's setting. */
function refreshMs(): number {
  const lf = local();
  return lf ? (lf.responseKeyRefreshMs ?? 300_000) : readConfig().responseKeyRefreshMs;
}

/** What the operator needs to know after a rotation: which key, and from when every warm process signs with it. */
export function rotationReport(r: { current: string; previous: string }, rotatedAtMs: number, refresh: number): { lines: string[]; json: Record<string, unknown> } {
  // A warm process re-reads the ring at its first answer after loadedAt + refresh, and it loaded before the rotation.
  const allBy = new Date(rotatedAtMs + refresh).toISOString();
  return {
    json: { current: r.current, previous: r.previous, rotatedAt: new Date(rotatedAtMs).toISOString(), refreshMs: refresh, allProcessesSignBy: allBy },
    lines: [
      `response key rotated: current ${r.current}, previous ${r.previous} (still published)`,
      `  new processes sign with ${r.current} now; warm ones by ${allBy} (re-read every ${refresh / 1000} s, CORRIDOR_RESPONSE_KEY_REFRESH_MS)`,
      `  until then answers may still be signed by ${r.previous}; rotate again no earlier than ${allBy}`,
    ],
  };
}

export async function rotate(argv: string[]): Promise<number> {
  const v = parse(argv, {});
  const refresh = refreshMs();
  const r = await storageServices().responseKeys.rotate();
  const report = rotationReport(r, Date.now(), refresh);
  if (v.json) out(JSON.stringify(report.json));
  else for (const l of report.lines) out(l);
  return EXIT.ok;
}
