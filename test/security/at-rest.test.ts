// The at-rest scan the security suites end with can fail: plaintext in any form a careless write would leave is found.
import { describe, expect, it } from 'vitest';
import { TestExchange } from '../helpers/memory-exchange.ts';
import { plaintextAtRest, TRADE_PLAINTEXT } from './at-rest.ts';

describe('plaintext-at-rest scan', () => {
  const name = TRADE_PLAINTEXT[0]!;
  it.each([
    ['as a string attribute', name],
    ['inside JSON', JSON.stringify({ exporter: { name } })],
    ['as UTF-8 bytes inside a blob', new Uint8Array([1, 2, ...Buffer.from(name), 3])],
    ['base64url inside a JWS-like string, at an odd offset', `x.${Buffer.from(`{"a":"${name}"}`).toString('base64url')}.y`],
    ['hex', Buffer.from(name).toString('hex')],
  ])('finds it %s', async (_n, value) => {
    const x = await TestExchange.create();
    expect(plaintextAtRest(x)).toEqual([]);
    await x.store.putMany([{ table: 'documents', pk: 'LICENSE#XX#1', sk: 'V#1', attrs: { leak: value } }]);
    expect(plaintextAtRest(x)).toEqual([`documents/LICENSE#XX#1/leak: ${name}`]);
  });
});
