// The per-agency limit as deployed: read from the functions' environment, built into the services the handlers use.
import { describe, expect, it } from 'vitest';
import { awsClients, buildServices, quietTelemetry } from '../../lambdas/adapters/aws/aws-services.ts';
import { ConfigError, readConfig } from '../../lambdas/config.ts';
import { KMS_KEYS, TABLES } from '../../lambdas/definitions.ts';

const BASE: NodeJS.ProcessEnv = {
  AWS_REGION: 'eu-central-1',
  ...Object.fromEntries(TABLES.map((t) => [t.envVar, `corridor-${t.id}`])),
  ...Object.fromEntries(KMS_KEYS.map((k) => [k.envVar, `alias/corridor-${k.id}`])),
};

const limiterOf = (env: NodeJS.ProcessEnv) => {
  const cfg = readConfig({ ...BASE, ...env });
  return buildServices(cfg, awsClients(cfg), quietTelemetry).rateLimiter; // builds clients, calls nothing
};

describe('per-agency rate limit wiring', () => {
  it('defaults to 50/s with a burst of 100 when the environment says nothing', () => {
    expect(limiterOf({})?.limit).toEqual({ perSecond: 50, burst: 100 });
  });

  it('takes CORRIDOR_RATE_LIMIT_PER_SECOND and CORRIDOR_RATE_LIMIT_BURST, and enforces them', () => {
    const limiter = limiterOf({ CORRIDOR_RATE_LIMIT_PER_SECOND: '2', CORRIDOR_RATE_LIMIT_BURST: '3' })!;
    expect(limiter.limit).toEqual({ perSecond: 2, burst: 3 });
    const takes = Array.from({ length: 4 }, () => limiter.take('DE-BAFA').ok);
    expect(takes).toEqual([true, true, true, false]);
    expect(limiter.take('NL-DOUANE').ok).toBe(true); // per agency
  });

  it('0 per second turns it off (stage throttling still applies)', () => {
    expect(limiterOf({ CORRIDOR_RATE_LIMIT_PER_SECOND: '0' })).toBeUndefined();
  });

  it.each(['-1', '1.5', 'fifty'])('a malformed value (%s) stops the function at init instead of running unlimited', (v) => {
    expect(() => limiterOf({ CORRIDOR_RATE_LIMIT_PER_SECOND: v })).toThrow(ConfigError);
  });
});
