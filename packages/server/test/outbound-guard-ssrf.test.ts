import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundGuard, OutboundError, type OutboundGuard } from '../src/outbound/index.js';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server.js';
import { html, type PageServer, startPageServer } from './helpers/page-server.js';

/** The error a fetch rejects with (the test fails if it resolves). */
async function failure(guard: OutboundGuard, url: string): Promise<OutboundError> {
  const outcome = await guard.fetch(url).then(
    (response) => new Error(`fetched ${url}: ${response.status}`),
    (error: unknown) => error,
  );
  if (!(outcome instanceof OutboundError)) throw outcome;
  return outcome;
}

describe('the outbound guard refuses addresses inside the network', () => {
  let pages: PageServer;
  let dns: TestDnsServer;
  let guard: OutboundGuard;

  beforeAll(async () => {
    pages = await startPageServer({ '/': html('<title>inside</title>'), '/secret': html('<title>secret</title>') });
    dns = await startDnsServer({
      'internal.test': { A: ['10.0.0.1'] },
      'metadata.test': { A: ['169.254.169.254'] },
      'mapped.test': { AAAA: ['::ffff:10.0.0.1'] },
      'nat64.test': { AAAA: ['64:ff9b::a9fe:a9fe'] },
      'sixtofour.test': { AAAA: ['2002:c0a8:0101::1'] },
      'localhost.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
    });
    guard = createOutboundGuard({ dnsServers: [dns.address] });
  });
  afterAll(async () => {
    await pages.close();
    await dns.close();
  });

  // Every one of these reaches the page server when the guard lets it through (loopback, dual stack).
  it.each([
    ['127.0.0.1', 'http://127.0.0.1:{port}/', 'loopback'],
    ['127.0.0.1 spelt as one number', 'http://2130706433:{port}/', 'loopback'],
    ['127.0.0.1 spelt in hex and short', 'http://0x7f.1:{port}/', 'loopback'],
    ['another loopback address', 'http://127.1.2.3:{port}/', 'loopback'],
    ['[::1]', 'http://[::1]:{port}/', 'loopback'],
    ['[::ffff:127.0.0.1]', 'http://[::ffff:127.0.0.1]:{port}/', 'loopback'],
    ['[::ffff:7f00:1]', 'http://[::ffff:7f00:1]:{port}/', 'loopback'],
    ['[::127.0.0.1] (IPv4-compatible)', 'http://[::127.0.0.1]:{port}/', 'loopback'],
    ['0.0.0.0 (the local host on Linux)', 'http://0.0.0.0:{port}/', 'unspecified'],
    ['[::]', 'http://[::]:{port}/', 'unspecified'],
    ['https to 127.0.0.1', 'https://127.0.0.1:{port}/', 'loopback'],
  ])('never fetches %s', async (_name, template, range) => {
    const error = await failure(guard, template.replace('{port}', String(pages.port)));
    expect(error.toLog()).toEqual({ reason: 'refused_address', host: expect.any(String), range });
    expect(error.refused).toBe(true);
    expect(pages.requests).toEqual([]);
  });

  it.each([
    ['the metadata address 169.254.169.254', 'http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['a link-local address', 'http://169.254.10.20/', 'link_local'],
    ['a private address', 'http://192.168.1.1/', 'private'],
    ['a CGNAT address', 'http://100.64.0.1/', 'carrier_nat'],
    ['a unique-local IPv6 address', 'http://[fd12:3456::1]/', 'unique_local'],
    ['a link-local IPv6 address', 'http://[fe80::1]/', 'link_local'],
    ['an IPv4-mapped private address', 'http://[::ffff:10.0.0.1]/', 'private'],
    ['the broadcast address', 'http://255.255.255.255/', 'broadcast'],
    ['a multicast address', 'http://224.0.0.1/', 'multicast'],
  ])('refuses %s before connecting', async (_name, url, range) => {
    expect((await failure(guard, url)).toLog()).toEqual({ reason: 'refused_address', host: expect.any(String), range });
  });

  it('refuses a DNS name that resolves to 10.0.0.1, as a real DNS server answers it', async () => {
    const error = await failure(guard, 'http://internal.test/');
    expect(error.toLog()).toEqual({ reason: 'refused_address', host: 'internal.test', range: 'private' });
    // The refusal is the guard's judgement of the answer, not a failure to resolve.
    expect(dns.queries.get('internal.test/A')).toBe(1);
  });

  it.each([
    ['metadata.test', 'metadata'],
    ['mapped.test', 'private'],
    ['nat64.test', 'metadata'],
    ['sixtofour.test', 'private'],
  ])('refuses %s, whose DNS answer is %s in some form', async (name, range) => {
    expect((await failure(guard, `http://${name}/`)).toLog()).toEqual({ reason: 'refused_address', host: name, range });
  });

  it('refuses a name that resolves to loopback on either family, and fetches nothing', async () => {
    expect((await failure(guard, `http://localhost.test:${pages.port}/`)).reason).toBe('refused_address');
    expect(pages.requests).toEqual([]);
  });

  it('refuses a name that does not resolve, as dns', async () => {
    expect((await failure(guard, 'http://nowhere.test/')).reason).toBe('dns');
  });

  it('refuses other schemes and URLs without a host', async () => {
    expect((await failure(guard, 'file:///etc/passwd')).reason).toBe('scheme');
    expect((await failure(guard, 'gopher://127.0.0.1:70/')).reason).toBe('scheme');
    expect((await failure(guard, 'not a url')).reason).toBe('bad_url');
  });
});

describe('the outbound guard judges every redirect', () => {
  let pages: PageServer;
  let dns: TestDnsServer;
  let guard: OutboundGuard;
  const redirect = (location: string) => (_request: unknown, response: import('node:http').ServerResponse) => {
    response.writeHead(302, { location }).end();
  };

  beforeAll(async () => {
    pages = await startPageServer({ '/secret': html('<title>secret</title>') });
    dns = await startDnsServer({ 'internal.test': { A: ['10.0.0.1'] } });
    pages.route('/to-ipv6-loopback', redirect(`http://[::1]:${pages.port}/secret`));
    pages.route('/to-metadata', redirect('http://169.254.169.254/latest/meta-data/iam/'));
    pages.route('/to-internal-name', redirect('http://internal.test/'));
    pages.route('/to-file', redirect('file:///etc/passwd'));
    // The page server itself is let through; the places it redirects to are not.
    guard = createOutboundGuard({ allowHosts: [pages.hostPort], dnsServers: [dns.address] });
  });
  afterAll(async () => {
    await pages.close();
    await dns.close();
  });

  it.each([
    ['[::1]', '/to-ipv6-loopback', { reason: 'refused_address', host: `[::1]:{port}`, range: 'loopback' }],
    ['the metadata address', '/to-metadata', { reason: 'refused_address', host: '169.254.169.254', range: 'metadata' }],
    ['a name resolving to 10.0.0.1', '/to-internal-name', { reason: 'refused_address', host: 'internal.test', range: 'private' }],
    ['a file: URL', '/to-file', { reason: 'scheme' }],
  ])('refuses a redirect to %s', async (_name, path, expected) => {
    const error = await failure(guard, pages.url(path));
    const host = 'host' in expected ? expected.host.replace('{port}', String(pages.port)) : undefined;
    expect(error.toLog()).toEqual({ ...expected, ...(host ? { host } : {}) });
    expect(pages.hits('/secret')).toBe(0);
  });
});

describe('the operator allowlist', () => {
  let pages: PageServer;
  let dns: TestDnsServer;

  beforeAll(async () => {
    pages = await startPageServer({ '/': html('<title>local</title>') });
    dns = await startDnsServer({ 'rebind.test': { A: (query) => (query === 1 ? ['127.0.0.1'] : ['127.0.0.2']) } });
  });
  afterAll(async () => {
    await pages.close();
    await dns.close();
  });

  it('refuses the local page until its host:port is allowed, then fetches it', async () => {
    expect((await failure(createOutboundGuard(), pages.url('/'))).toLog()).toMatchObject({ reason: 'refused_address', range: 'loopback' });
    expect(pages.hits('/')).toBe(0);
    const response = await createOutboundGuard({ allowHosts: [pages.hostPort] }).fetch(pages.url('/'));
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('<title>local</title>');
    expect(pages.hits('/')).toBe(1);
  });

  it('lets through only the exact host and port', async () => {
    const before = pages.requests.length;
    const otherPort = createOutboundGuard({ allowHosts: [`127.0.0.1:${pages.port + 1}`] });
    expect((await failure(otherPort, pages.url('/'))).reason).toBe('refused_address');
    // The same address under another spelling is another host.
    const byName = createOutboundGuard({ allowHosts: [`localhost:${pages.port}`] });
    expect((await failure(byName, `http://[::1]:${pages.port}/`)).reason).toBe('refused_address');
    expect(pages.requests.length).toBe(before);
  });

  it('refuses everything off the list when the list is all that may be reached', async () => {
    const only = createOutboundGuard({ allowListedOnly: true, dnsServers: [dns.address] });
    expect((await failure(only, 'http://rebind.test/')).toLog()).toEqual({ reason: 'not_allowed', host: 'rebind.test' });
    // Refused before any lookup.
    expect(dns.queries.get('rebind.test/A')).toBeUndefined();
  });

  it('connects to the address it judged, asking DNS once per fetch (no rebinding between check and connect)', async () => {
    const guard = createOutboundGuard({ allowHosts: [`rebind.test:${pages.port}`], dnsServers: [dns.address] });
    const before = pages.requests.length;
    expect((await guard.fetch(`http://rebind.test:${pages.port}/`)).status).toBe(200);
    expect(dns.queries.get('rebind.test/A')).toBe(1);
    expect((await guard.fetch(`http://rebind.test:${pages.port}/`)).status).toBe(200);
    expect(dns.queries.get('rebind.test/A')).toBe(2);
    // Each connection landed on the address that fetch's one answer named.
    expect(pages.requests.slice(before).map((r) => r.to.replace('::ffff:', ''))).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(pages.requests.slice(before).map((r) => r.headers.host)).toEqual([`rebind.test:${pages.port}`, `rebind.test:${pages.port}`]);
  });

  it('refuses a malformed entry with a plain message', () => {
    expect(() => createOutboundGuard({ allowHosts: ['localhost'] })).toThrow(/host:port/);
    expect(() => createOutboundGuard({ allowHosts: ['::1:8080'] })).toThrow(/brackets/);
    expect(() => createOutboundGuard({ allowHosts: ['host:99999'] })).toThrow(/host:port/);
  });
});
