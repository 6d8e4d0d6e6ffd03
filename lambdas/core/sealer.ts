/**
 * Sealing (protocol.md §6), in two paths that share one commit (seal-commit.ts):
 * - the stream sealer (stream-sealer.ts) seals each batch of new events the audit table's stream delivers, within
 *   seconds of their write;
 * - the completeness check (seal-check.ts), every minute, seals whatever the stream path had not sealed five minutes
 *   after its ts, and alarms.
 * Events are written once and never rewritten; seals are found through their index entries (seal-index.ts).
 */
import { CHECK_CURSOR, CHECK_LOOKBACK_SECONDS, CHECK_MARGIN_SECONDS, checkSealed, type CheckResult } from './seal-check.ts';
import type { SealResult } from './seal-commit.ts';
import type { SealSigner } from './ports.ts';
import type { CoreServices } from './services.ts';

export { MAX_LEAVES, type SealResult } from './seal-commit.ts';

/** Passes of sealAll: a seal can write an event (a new seal key's), which the next pass seals. */
const SEAL_ALL_PASSES = 5;

/** Seal every event not yet sealed, now, whatever its age (no stream needed): tests, tools, a local exchange. */
export async function sealAll(services: CoreServices, signer: SealSigner): Promise<SealResult[]> {
  return (await sealAllReport(services, signer)).seals;
}

/** sealAll, also naming the audit items it passed over because they hold no event (`corridor audit seal` says so). */
export async function sealAllReport(services: CoreServices, signer: SealSigner): Promise<{ seals: SealResult[]; malformed: string[] }> {
  const seals: SealResult[] = [];
  const malformed = new Set<string>();
  for (let pass = 0; pass < SEAL_ALL_PASSES; pass++) {
    const r = await checkSealed(services, signer, { marginSeconds: 0, cursor: false, alarm: false });
    for (const pk of r.malformed) malformed.add(pk);
    if (r.seals.length === 0) break;
    seals.push(...r.seals);
  }
  return { seals, malformed: [...malformed] };
}

/**
 * The scheduled completeness check. Every run reports how far behind the check is (SealLagSeconds: from its cursor to
 * now less the margin), a failed one too, from the cursor it could not move: a KMS outage shows as growing lag.
 */
export async function scheduledCheck(services: CoreServices, signer: SealSigner): Promise<CheckResult> {
  let r: CheckResult;
  try {
    r = await checkSealed(services, signer, { marginSeconds: CHECK_MARGIN_SECONDS, cursor: true, alarm: true });
  } catch (e) {
    const cursor = await services.store.get('audit', CHECK_CURSOR).catch(() => null);
    const through = typeof cursor?.attrs.through === 'string' ? Date.parse(cursor.attrs.through.slice(0, 24)) : undefined;
    const horizon = services.clock.now() - CHECK_MARGIN_SECONDS * 1000;
    services.telemetry.sealRun({ lagSeconds: through === undefined ? CHECK_LOOKBACK_SECONDS : Math.max(0, (horizon - through) / 1000), seals: 0, events: 0 });
    throw e;
  }
  services.telemetry.sealRun({ lagSeconds: r.lagSeconds, seals: r.seals.length, events: r.missed });
  return r;
}
