// Webhook endpoint rules (protocol.md §10): each refused endpoint is a signed 400 body-invalid at /body/endpoint,
// audited, with no subscription stored; what is allowed is stored and echoed. Address classes unit by unit.
import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../lambdas/core/notifications/addresses.ts';
import { addressRefusal, DEPLOYED_ENDPOINTS, endpointRefusal, LOCAL_ENDPOINTS } from '../../lambdas/core/notifications/endpoint-rules.ts';
import { NotifyHarness, TableResolver } from '../helpers/notify-harness.ts';

describe('address classes', () => {
  it.each([
    ['93.184.216.34', 'public'], ['2606:2800:220:1:248:1893:25c8:1946', 'public'],
    ['127.0.0.1', 'loopback'], ['127.9.9.9', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['100.64.0.1', 'private'],
    ['fc00::1', 'private'], ['fd12:3456::1', 'private'], ['::ffff:10.0.0.1', 'private'], ['64:ff9b::10.0.0.1', 'private'],
    ['169.254.1.1', 'link-local'], ['fe80::1', 'link-local'], ['febf::1', 'link-local'], ['fe80::1%eth0', 'link-local'],
    ['169.254.169.254', 'metadata'], ['169.254.170.2', 'metadata'], ['fd00:ec2::254', 'metadata'], ['100.100.100.200', 'metadata'], ['::ffff:169.254.169.254', 'metadata'],
    ['0.0.0.0', 'reserved'], ['::', 'reserved'], ['224.0.0.1', 'reserved'], ['255.255.255.255', 'reserved'], ['ff02::1', 'reserved'], ['not-an-ip', 'reserved'],
    ['172.32.0.1', 'public'], ['11.0.0.1', 'public'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it('loopback is allowed only under the local policy; link-local and metadata never', () => {
    expect(addressRefusal('127.0.0.1', DEPLOYED_ENDPOINTS)).toBe('is a loopback address');
    expect(addressRefusal('127.0.0.1', LOCAL_ENDPOINTS)).toBeNull();
    expect(addressRefusal('169.254.169.254', LOCAL_ENDPOINTS)).toBe('is a cloud metadata address');
    expect(addressRefusal('fe80::1', LOCAL_ENDPOINTS)).toBe('is a link-local address');
    expect(addressRefusal('10.0.0.1', LOCAL_ENDPOINTS)).toBe('is a private or unique-local address');
  });
});

describe('endpoint rules', () => {
  const resolver = new TableResolver({
    'hooks.example.org': ['93.184.216.34'],
    'internal.example.org': ['10.0.0.7'],
    'mixed.example.org': ['93.184.216.34', '192.168.0.9'],
    'v6local.example.org': ['fd00::5'],
    'rebind.example.org': ['169.254.169.254'],
  });
  const refused = (url: string, policy = DEPLOYED_ENDPOINTS) => endpointRefusal(url, policy, resolver);

  it.each([
    ['ftp://hooks.example.org/x', 'must use https (http only to a loopback address in local mode)'],
    ['file:///etc/passwd', 'must use https (http only to a loopback address in local mode)'],
    ['gopher://hooks.example.org/', 'must use https (http only to a loopback address in local mode)'],
    ['https://user:pw@hooks.example.org/', 'must not contain user info'],
    ['https://user@hooks.example.org/', 'must not contain user info'],
    ['https://169.254.1.2/hook', 'is a link-local address'],
    ['https://[fe80::1]/hook', 'is a link-local address'],
    ['http://169.254.169.254/latest/meta-data/', 'is a cloud metadata address'],
    ['https://[fd00:ec2::254]/', 'is a cloud metadata address'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'is a cloud metadata address'],
    ['http://hooks.example.org/hook', 'must use https'],
    ['https://10.0.0.1/hook', 'is a private or unique-local address'],
    ['https://127.0.0.1/hook', 'is a loopback address'],
    ['https://[::1]/hook', 'is a loopback address'],
    ['https://[fd00::1]/hook', 'is a private or unique-local address'],
    ['https://0x7f.1/hook', 'is a loopback address'],
    ['https://2130706433/hook', 'is a loopback address'],
    ['https://internal.example.org/hook', 'resolves to an address that is a private or unique-local address'],
    ['https://mixed.example.org/hook', 'resolves to an address that is a private or unique-local address'],
    ['https://v6local.example.org/hook', 'resolves to an address that is a private or unique-local address'],
    ['https://rebind.example.org/hook', 'resolves to an address that is a cloud metadata address'],
    ['https://nowhere.example.org/hook', 'has a host name that does not resolve'],
    ['hooks.example.org/hook', 'is not an absolute URL'],
    ['https://hooks.example.org/hook#frag', 'must not contain a fragment'],
  ])('deployed: %s is refused (%s)', async (url, reason) => {
    expect(await refused(url)).toBe(reason);
  });

  it('deployed: https to a public address is allowed', async () => {
    expect(await refused('https://hooks.example.org/corridor?x=1')).toBeNull();
    expect(await refused('https://93.184.216.34:8443/hook')).toBeNull();
  });

  it('local mode also allows http to 127.0.0.1 and [::1], and nothing else that deployed refuses', async () => {
    expect(await refused('http://127.0.0.1:8080/hook', LOCAL_ENDPOINTS)).toBeNull();
    expect(await refused('http://[::1]:8080/hook', LOCAL_ENDPOINTS)).toBeNull();
    expect(await refused('http://10.0.0.1/hook', LOCAL_ENDPOINTS)).toBe('is a private or unique-local address');
    expect(await refused('http://169.254.169.254/', LOCAL_ENDPOINTS)).toBe('is a cloud metadata address');
    expect(await refused('http://hooks.example.org/hook', LOCAL_ENDPOINTS)).toBe('must use https');
    expect(await refused('ftp://127.0.0.1/', LOCAL_ENDPOINTS)).toBe('must use https (http only to a loopback address in local mode)');
  });

  it('a DNS failure other than "no such name" is thrown (the caller answers 503), never taken as allowed', async () => {
    const failing = { lookup: async () => { throw Object.assign(new Error('SERVFAIL'), { code: 'EAI_AGAIN' }); } };
    await expect(endpointRefusal('https://hooks.example.org/', DEPLOYED_ENDPOINTS, failing)).rejects.toThrow('SERVFAIL');
  });
});

describe('subscription.put through the exchange', () => {
  it('refuses a refused endpoint with a signed 400 at /body/endpoint, audited, storing nothing', async () => {
    const h = await NotifyHarness.create(DEPLOYED_ENDPOINTS);
    const customs = await h.x.agency('NL-DOUANE', ['customs']);
    const before = h.x.snapshot();
    const a = await h.x.call(customs, 'subscription.put', { endpoint: 'http://169.254.169.254/latest', events: ['license.status'] });
    expect(a.status).toBe(400);
    expect(a.problem.type).toBe('urn:corridor:problem:body-invalid');
    expect(a.problem.detail).toBe('endpoint is a cloud metadata address');
    expect(a.problem.errors).toEqual([{ pointer: '/body/endpoint', detail: 'is a cloud metadata address' }]);
    expect(h.x.snapshot()).toBe(before);
    const ev = h.x.auditEvents().at(-1)!;
    expect(ev).toMatchObject({ action: 'subscription.put', decision: 'deny', status: 400, code: 'body-invalid', actor: 'NL-DOUANE' });
  });

  it('refuses an unknown type at its index; stores and echoes an accepted subscription; get returns it; [] turns it off', async () => {
    const h = await NotifyHarness.create(DEPLOYED_ENDPOINTS);
    const customs = await h.x.agency('NL-DOUANE', ['customs']);
    const bad = await h.x.call(customs, 'subscription.put', { endpoint: 'https://hooks.example.org/c', events: ['license.status', 'license.stolen'] });
    expect(bad.status).toBe(400);
    expect(bad.problem.errors).toEqual([{ pointer: '/body/events/1', detail: 'is not a notification type (protocol.md §10)' }]);
    const none = await h.x.call(customs, 'subscription.get', {});
    expect(none.result).toEqual({ subscription: null });
    const ok = await h.x.call(customs, 'subscription.put', { endpoint: 'https://hooks.example.org/c', events: ['license.status', 'agency.key'] });
    expect(ok.status).toBe(200);
    expect(ok.result).toEqual({ endpoint: 'https://hooks.example.org/c', events: ['license.status', 'agency.key'], updatedAt: '2026-11-22T10:00:00.000Z' });
    expect((await h.x.call(customs, 'subscription.get', {})).result).toEqual({ subscription: ok.result });
    const off = await h.x.call(customs, 'subscription.put', { endpoint: 'https://hooks.example.org/c', events: [] });
    expect(off.result.events).toEqual([]);
    expect(h.x.auditEvents().filter((e) => e.action === 'subscription.put' && e.decision === 'allow').map((e) => e.details)).toEqual([{ count: 2 }, { count: 0 }]);
  });

  it('the operator and auditors cannot subscribe (403 role-forbidden); without endpoint checks configured it fails closed (503)', async () => {
    const h = await NotifyHarness.create();
    const op = await h.x.call(h.x.operator, 'subscription.put', { endpoint: 'http://127.0.0.1:9/h', events: [] });
    expect(op.status).toBe(403);
    expect(op.problem.type).toBe('urn:corridor:problem:role-forbidden');
    (h.x.services as { endpoints?: unknown }).endpoints = undefined;
    const customs = await h.x.agency('NL-DOUANE', ['customs']);
    const a = await h.x.call(customs, 'subscription.put', { endpoint: 'http://127.0.0.1:9/h', events: [] });
    expect(a.status).toBe(503);
    expect(a.problem.type).toBe('urn:corridor:problem:dependency-failed');
  });
});
