/** Scheduled Lambda (every minute): seals every event not yet sealed. One KMS Sign per seal. */
import { sealAll } from '../core/sealer.ts';
import { runtimeServices } from './runtime.ts';

const services = runtimeServices();

export async function handler(): Promise<{ seals: number; events: number }> {
  const done = await sealAll(services, services.sealSigner);
  return { seals: done.length, events: done.reduce((n, s) => n + s.count, 0) };
}
