// GET /.well-known/corridor-configuration names the wire protocol version (protocol.md §4, Changelog), and its
// schema requires it in the form corridor/<n>, so a configuration without it, or with another spelling, is invalid.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { configuration, PROTOCOL_VERSION } from '../../lambdas/core/discovery.ts';
import { ACTION_ROUTES } from '../../lambdas/core/routes.ts';
import { TestExchange } from '../helpers/memory-exchange.ts';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;
const schema = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(import.meta.dirname, '../../schemas', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
ajv.addSchema(schema('common'));
const validConfiguration = ajv.compile(schema('configuration'));

describe('the configuration document', () => {
  it('carries protocolVersion corridor/1 beside the exchange id, routes and limits', async () => {
    const x = await TestExchange.create();
    const cfg = await configuration(x.services, 'https://exchange.example');
    expect(PROTOCOL_VERSION).toBe('corridor/1');
    expect(cfg).toMatchObject({ protocolVersion: 'corridor/1', exchangeId: 'corridor:test', jwksUri: 'https://exchange.example/.well-known/jwks.json', maxBodyBytes: 262144, clockSkewSeconds: 60 });
    expect(cfg.actions).toHaveLength(ACTION_ROUTES.length);
    expect(validConfiguration(cfg) ? [] : validConfiguration.errors).toEqual([]);
  });

  it('is invalid without protocolVersion or with another form of it', async () => {
    const cfg = await configuration((await TestExchange.create()).services, 'https://exchange.example');
    const { protocolVersion: _, ...without } = cfg;
    expect(validConfiguration(without)).toBe(false);
    expect(validConfiguration.errors?.map((e) => e.params)).toEqual([{ missingProperty: 'protocolVersion' }]);
    for (const bad of ['1', 'corridor/v1', 'corridor/0', 'Corridor/1', 'corridor/1.1']) {
      expect(validConfiguration({ ...cfg, protocolVersion: bad }), bad).toBe(false);
    }
    expect(validConfiguration({ ...cfg, protocolVersion: 'corridor/2' })).toBe(true);
  });
});
