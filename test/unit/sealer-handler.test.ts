// The sealer Lambda's handler (lambdas/handlers/sealer.ts) on a stream batch it could not seal: the mapping takes no
// partial-batch report, so a returned failure list would count as done and the batch would be skipped. It must throw,
// so Lambda retries the whole batch from its first record. DynamoDB here is a closed loopback port: every call fails.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TABLES, KMS_KEYS } from '../../lambdas/definitions.ts';

let closedPort: number;

beforeAll(async () => {
  // a port that was free a moment ago and now refuses connections
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closedPort = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  for (const t of TABLES) vi.stubEnv(t.envVar, `corridor-${t.id}`);
  for (const k of KMS_KEYS) vi.stubEnv(k.envVar, `alias/${k.id}`);
  vi.stubEnv('AWS_REGION', 'eu-central-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'x');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  vi.stubEnv('CORRIDOR_AWS_ENDPOINT', `http://127.0.0.1:${closedPort}`);
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe('the sealer handler on a stream batch', () => {
  it('throws when the batch could not be sealed (no partial-batch report to fall back on)', async () => {
    const { handler } = await import('../../lambdas/handlers/sealer.ts');
    const event = { pk: { S: 'ev-x' }, event: { S: JSON.stringify({ id: 'ev-x', ts: new Date().toISOString() }) } };
    const batch = { Records: [{ eventName: 'INSERT', dynamodb: { SequenceNumber: '1', Keys: { pk: { S: 'ev-x' } }, NewImage: event } }] };
    await expect(handler(batch)).rejects.toMatchObject({ name: 'StreamBatchNotSealed' });
  });

  it('a batch with no audit event insert is done at once (nothing to seal, nothing called)', async () => {
    const { handler } = await import('../../lambdas/handlers/sealer.ts');
    const outbox = { Records: [{ eventName: 'INSERT', dynamodb: { SequenceNumber: '2', Keys: { pk: { S: 'OUTBOX#1' } }, NewImage: { pk: { S: 'OUTBOX#1' } } } }] };
    await expect(handler(outbox)).resolves.toEqual({ batchItemFailures: [] });
  });
});
