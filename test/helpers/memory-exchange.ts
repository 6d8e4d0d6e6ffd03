/**
 * An exchange on memory adapters for unit tests: the real core and pipeline, a settable
 * clock, and helpers to sign requests and read back verified answers.
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JWK } from 'jose';
import { MemoryDataKeys } from '../../lambdas/adapters/memory/memory-data-keys.ts';
import { MemoryStore } from '../../lambdas/adapters/memory/memory-store.ts';
import { MemorySealSigner } from '../../lambdas/adapters/memory/memory-seal-signer.ts';
import { signRequest, type RequestOptions, type SigningIdentity } from '../../lambdas/client/signing.ts';
import { AgencyDirectory } from '../../lambdas/core/agency-directory.ts';
import { CursorKeys } from '../../lambdas/core/cursor-keys.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import { bootstrapOperator } from '../../lambdas/core/bootstrap.ts';
import { exchangeJwks } from '../../lambdas/core/discovery.ts';
import type { Problem } from '../../lambdas/core/errors.ts';
import { Exchange, type ActionAnswer } from '../../lambdas/core/exchange.ts';
import { PayloadCipher } from '../../lambdas/core/payload-cipher.ts';
import { ResponseKeys } from '../../lambdas/core/response-keys.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import type { CoreServices } from '../../lambdas/core/services.ts';
import type { Telemetry } from '../../lambdas/core/ports.ts';
import { MemoryTelemetry } from '../../lambdas/adapters/memory/memory-telemetry.ts';
import { makeKey, type TestKey } from './keys.ts';

export const EXCHANGE_ID = 'corridor:test';

export interface Answer {
  status: number;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  result: Record<string, unknown>;
  problem: Problem;
  raw: ActionAnswer;
}

export interface TestAgency extends SigningIdentity { key: TestKey }

/** Drives an Exchange through signed requests, whatever adapters its services use. */
export class ExchangeDriver {
  readonly exchange: Exchange;
  operator!: TestAgency;

  constructor(readonly services: CoreServices, private readonly clockNow: () => number) {
    this.exchange = new Exchange(services);
  }

  async bootstrap(): Promise<void> {
    const key = await makeKey('op-1');
    await bootstrapOperator(this.services, 'XX-OPERATOR', 'Exchange operator', key.kid, key.publicJwk);
    this.operator = { agencyId: 'XX-OPERATOR', privateJwk: key.privateJwk, key };
  }

  nowSeconds(): number {
    return Math.floor(this.clockNow() / 1000);
  }

  async send(act: ActionName, jws: string | Uint8Array, contentType = 'application/jose'): Promise<Answer> {
    const raw = await this.exchange.handle({ act, contentType, body: typeof jws === 'string' ? Buffer.from(jws) : jws, sourceIp: '127.0.0.1', requestId: `req-${Math.random()}` });
    return this.open(raw);
  }

  /** Verify an answer against the exchange's published keys and unpack it. */
  async open(raw: ActionAnswer): Promise<Answer> {
    if (raw.contentType !== 'application/jose') throw new Error(`unsigned answer: ${raw.body}`);
    const jwks = createLocalJWKSet((await exchangeJwks(this.services)) as { keys: JWK[] });
    const { payload } = await compactVerify(raw.body, jwks, { algorithms: ['ES256'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    return {
      status: raw.status,
      header: decodeProtectedHeader(raw.body) as Record<string, unknown>,
      claims,
      result: claims.result as Record<string, unknown>,
      problem: claims.problem as Problem,
      raw,
    };
  }

  async call(as: SigningIdentity, act: ActionName, body: unknown, opts: RequestOptions = {}): Promise<Answer> {
    const { jws } = await signRequest(as, EXCHANGE_ID, act, body, { iat: this.nowSeconds(), ...opts });
    return this.send(act, jws);
  }

  /** Register an agency through the real API as the operator. */
  async agency(agencyId: string, roles: string[], alg: 'ES256' | 'EdDSA' = 'ES256', extra: Record<string, unknown> = {}): Promise<TestAgency> {
    const key = await makeKey(`${agencyId.toLowerCase()}-1`, alg);
    const a = await this.call(this.operator, 'agency.register', { agencyId, name: `${agencyId} agency`, roles, keys: [{ kid: key.kid, jwk: key.publicJwk }], ...extra });
    if (a.status !== 201) throw new Error(`register ${agencyId}: ${a.status} ${JSON.stringify(a.problem)}`);
    return { agencyId, privateJwk: key.privateJwk, key };
  }
}

export function captureLogger(lines: string[]): Telemetry {
  return new MemoryTelemetry(lines);
}

/** The real core on memory adapters, with a settable clock. */
export class TestExchange extends ExchangeDriver {
  readonly store: MemoryStore;
  readonly dataKeys: MemoryDataKeys;
  readonly clock: { now: () => number };
  readonly logs: string[];
  time = Date.parse('2026-11-22T10:00:00Z');

  constructor() {
    const store = new MemoryStore();
    const dataKeys = new MemoryDataKeys();
    const logs: string[] = [];
    const ref: { x?: TestExchange } = {};
    const clock = { now: () => ref.x!.time };
    const cipher = new PayloadCipher(dataKeys, clock);
    super(
      {
        exchangeId: EXCHANGE_ID,
        store,
        directory: new AgencyDirectory(store, clock, 0),
        cipher,
        responseKeys: new ResponseKeys(store, cipher, clock, EXCHANGE_ID),
        cursorKeys: new CursorKeys(store, cipher, clock, EXCHANGE_ID),
        clock,
        telemetry: captureLogger(logs),
        sealSigner: new MemorySealSigner(),
      },
      clock.now,
    );
    ref.x = this;
    this.store = store;
    this.dataKeys = dataKeys;
    this.clock = clock;
    this.logs = logs;
  }

  static async create(): Promise<TestExchange> {
    const x = new TestExchange();
    await x.bootstrap();
    return x;
  }

  auditEvents(): AuditEvent[] {
    // The audit table also holds seals and the seal head, which carry no `event`.
    return this.store.all('audit').filter((r) => r.attrs.event !== undefined)
      .map((r) => JSON.parse(String(r.attrs.event)) as AuditEvent).sort((a, b) => a.ts.localeCompare(b.ts));
  }

  /** A fingerprint of every non-audit record, to prove a refusal changed nothing. */
  snapshot(): string {
    return JSON.stringify([...this.store.records.entries()].filter(([, r]) => r.table !== 'audit').sort(([a], [b]) => a.localeCompare(b)).map(([k, r]) => [k, r.attrs]));
  }
}
