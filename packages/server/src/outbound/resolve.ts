import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { OutboundError } from './errors.js';

/** An address the guard has judged and will connect to. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

function familyOf(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/** Asks the given DNS servers for A and AAAA records, with a resolver of its own so a cancel touches only this name. */
async function resolveWith(servers: readonly string[], hostname: string, signal: AbortSignal): Promise<string[]> {
  const resolver = new Resolver({ tries: 1 });
  resolver.setServers([...servers]);
  const cancel = () => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const [a, aaaa] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
    return [...(a.status === 'fulfilled' ? a.value : []), ...(aaaa.status === 'fulfilled' ? aaaa.value : [])];
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** The system's resolver (getaddrinfo: /etc/hosts, then DNS), which cannot be cancelled, so it is raced with the signal. */
async function resolveWithSystem(hostname: string, signal: AbortSignal): Promise<string[]> {
  const answer = lookup(hostname, { all: true, verbatim: true }).then((found) => found.map((entry) => entry.address));
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  // The losing lookup still settles later; its result is dropped.
  answer.catch(() => undefined);
  return Promise.race([answer, aborted]);
}

/**
 * Every address of a URL's host: the literal itself for an IP address, else
 * what DNS answers (from `servers` when given, else the system's resolver).
 * The caller judges all of them and connects only to them, never resolving
 * the name again: a second lookup could answer differently (DNS rebinding).
 */
export async function resolveHost(hostname: string, servers: readonly string[] | undefined, signal: AbortSignal): Promise<CheckedAddress[]> {
  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(literal) !== 0) return [{ address: literal, family: familyOf(literal) }];
  let addresses: string[];
  try {
    addresses = servers && servers.length > 0 ? await resolveWith(servers, hostname, signal) : await resolveWithSystem(hostname, signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : error;
    throw new OutboundError('dns', `could not resolve ${hostname}`, { host: hostname, cause: error });
  }
  if (addresses.length === 0) throw new OutboundError('dns', `${hostname} has no address`, { host: hostname });
  return addresses.map((address) => ({ address, family: familyOf(address) }));
}
