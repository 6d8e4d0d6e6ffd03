/** Scheduled Lambda (every minute): seals every event not yet sealed. One KMS Sign per seal; each run reports SealLagSeconds. */
import { sealAll } from '../core/sealer.ts';
import { observed } from './observed.ts';
import { runtimeServices } from './runtime.ts';

const services = runtimeServices();

export const handler = observed(async (): Promise<{ seals: number; events: number }> => {
  const done = await sealAll(services, services.sealSigner);
  return { seals: done.length, events: done.reduce((n, s) => n + s.count, 0) };
});
