import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundGuard, OutboundError, type OutboundGuard } from '../src/outbound/index.js';
import { startDnsServer, type TestDnsServer } from './helpers/dns-server.js';

/** What the receiver saw of one request: which connection carried it, and to which local address it came. */
interface Seen {
  path: string;
  connection: number;
  to: string;
}

/** A receiver that numbers its connections; `/drop-second` closes a connection on its second request, unanswered. */
async function startReceiver() {
  const seen: Seen[] = [];
  const ids = new WeakMap<Socket, number>();
  const perConnection = new Map<number, number>();
  let connections = 0;
  const server: Server = createServer((request, response) => {
    const connection = ids.get(request.socket) ?? 0;
    const count = (perConnection.get(connection) ?? 0) + 1;
    perConnection.set(connection, count);
    const path = request.url ?? '';
    seen.push({ path, connection, to: (request.socket.localAddress ?? '').replace('::ffff:', '') });
    request.resume();
    request.once('end', () => {
      if (path === '/drop-second' && count === 2) request.socket.destroy();
      else response.writeHead(204).end();
    });
  });
  server.on('connection', (socket) => ids.set(socket, (connections += 1)));
  // Every loopback address (127.0.0.2 included), so a DNS change to another one still reaches it.
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function failure(guard: OutboundGuard, url: string): Promise<OutboundError> {
  const outcome = await guard.fetch(url, { method: 'POST', body: '{}' }).then(
    (response) => new Error(`fetched ${url}: ${response.status}`),
    (error: unknown) => error,
  );
  if (!(outcome instanceof OutboundError)) throw outcome;
  return outcome;
}

describe('the outbound guard keeps connections alive without letting one reach an address it did not judge', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let dns: TestDnsServer;

  beforeAll(async () => {
    receiver = await startReceiver();
    dns = await startDnsServer({
      'kept.test': { A: ['127.0.0.1'] },
      'other.test': { A: ['127.0.0.1'] },
      // The 3rd answer moves the name to another loopback address.
      'moving.test': { A: (query) => (query <= 2 ? ['127.0.0.1'] : ['127.0.0.2']) },
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await dns?.close();
  });

  const post = (guard: OutboundGuard, url: string) => guard.fetch(url, { method: 'POST', body: '{"n":1}', maxRedirects: 0 });

  it('sends requests to one judged host:port and address over one connection, and still asks DNS for each', async () => {
    const guard = createOutboundGuard({ allowHosts: [`kept.test:${receiver.port}`], dnsServers: [dns.address] });
    const before = receiver.seen.length;
    for (let i = 0; i < 3; i += 1) expect((await post(guard, `http://kept.test:${receiver.port}/kept`)).status).toBe(204);
    const mine = receiver.seen.slice(before);
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((s) => s.connection)).size).toBe(1);
    // Judged at every request: a kept connection does not skip the lookup.
    expect(dns.queries.get('kept.test/A')).toBe(3);
  });

  it('refuses loopback for a host off the list while a connection to that very address and port is kept for one on it', async () => {
    const guard = createOutboundGuard({ allowHosts: [`kept.test:${receiver.port}`], dnsServers: [dns.address] });
    expect((await post(guard, `http://kept.test:${receiver.port}/warm`)).status).toBe(204);
    const before = receiver.seen.length;
    expect((await failure(guard, `http://127.0.0.1:${receiver.port}/literal`)).toLog()).toMatchObject({ reason: 'refused_address', range: 'loopback' });
    expect((await failure(guard, `http://other.test:${receiver.port}/other-name`)).toLog()).toMatchObject({ reason: 'refused_address', range: 'loopback' });
    expect(receiver.seen.slice(before)).toEqual([]);
    // And the kept connection still serves the host it was judged for.
    expect((await post(guard, `http://kept.test:${receiver.port}/after`)).status).toBe(204);
  });

  it('takes a new connection to the new address when DNS answers another one, never the kept one', async () => {
    const guard = createOutboundGuard({ allowHosts: [`moving.test:${receiver.port}`], dnsServers: [dns.address] });
    const before = receiver.seen.length;
    for (let i = 0; i < 3; i += 1) expect((await post(guard, `http://moving.test:${receiver.port}/moving`)).status).toBe(204);
    const mine = receiver.seen.slice(before);
    expect(mine.map((s) => s.to)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.2']);
    expect(mine[0]!.connection).toBe(mine[1]!.connection);
    expect(mine[2]!.connection).not.toBe(mine[1]!.connection);
  });

  it('sends once more on a fresh connection when the kept one is closed under a request', async () => {
    const guard = createOutboundGuard({ allowHosts: [`kept.test:${receiver.port}`], dnsServers: [dns.address] });
    const before = receiver.connections();
    expect((await post(guard, `http://kept.test:${receiver.port}/drop-second`)).status).toBe(204);
    expect((await post(guard, `http://kept.test:${receiver.port}/drop-second`)).status).toBe(204);
    const mine = receiver.seen.filter((s) => s.path === '/drop-second');
    expect(mine).toHaveLength(3);
    expect(receiver.connections() - before).toBe(2);
  });
});
