import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { ipv6Bytes } from '../../src/outbound/addresses.js';

/** What a name answers: A and AAAA addresses, or a function of the query's count for answers that change (DNS rebinding). */
export type DnsRecords = Record<string, { A?: string[] | ((query: number) => string[]); AAAA?: string[] }>;

/** A real DNS server on UDP, on 127.0.0.1, answering from a table; counts the queries for each name. */
export interface TestDnsServer {
  /** `127.0.0.1:port`, for a resolver's servers. */
  address: string;
  /** Queries received, by lowercase name and type (`internal.test/A`). */
  queries: Map<string, number>;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;

/** Reads the question's name and type; undefined for a malformed packet. */
function question(packet: Buffer): { name: string; type: number; end: number } | undefined {
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    const length = packet[at];
    if (length === undefined || length > 63) return undefined;
    at += 1;
    if (length === 0) break;
    labels.push(packet.subarray(at, at + length).toString('ascii'));
    at += length;
  }
  if (at + 4 > packet.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: packet.readUInt16BE(at), end: at + 4 };
}

function answer(type: number, address: string): Buffer {
  const data = type === TYPE_A ? Buffer.from(address.split('.').map(Number)) : Buffer.from(ipv6Bytes(address) ?? []);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4); // IN
  head.writeUInt32BE(0, 6); // TTL 0: nothing may cache it
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

/** Starts the server. A name not in the table is NXDOMAIN; a type it lacks is an empty NOERROR answer. */
export async function startDnsServer(records: DnsRecords): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  const queries = new Map<string, number>();
  socket.on('message', (packet, peer) => {
    const q = question(packet);
    if (!q || packet.length < 12) return;
    const key = `${q.name}/${q.type === TYPE_A ? 'A' : q.type === TYPE_AAAA ? 'AAAA' : q.type}`;
    const count = (queries.get(key) ?? 0) + 1;
    queries.set(key, count);
    const entry = records[q.name];
    const a = entry?.A;
    const addresses = q.type === TYPE_A ? (typeof a === 'function' ? a(count) : (a ?? [])) : q.type === TYPE_AAAA ? (entry?.AAAA ?? []) : [];
    const header = Buffer.alloc(12);
    packet.copy(header, 0, 0, 2); // the query's id
    header.writeUInt16BE(0x8400 | (packet.readUInt16BE(2) & 0x0100) | (entry ? 0 : 3), 2); // response, authoritative, RD echoed, rcode
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(addresses.length, 6);
    const reply = Buffer.concat([header, packet.subarray(12, q.end), ...addresses.map((address) => answer(q.type, address))]);
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
