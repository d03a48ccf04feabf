import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { CheckedAddress } from './resolve.js';

/** How long a kept connection may sit unused before it is closed: under the 5 s most servers (Node's included) keep one open. */
export const IDLE_SOCKET_MS = 2000;

/** Agents kept at most; past it the least recently used idle one goes. */
const MAX_AGENTS = 256;

/**
 * Kept-alive connections (idle ones do not hold the process open: Node unrefs a socket while it waits in the pool), one agent per scheme, `host:port` and set of
 * judged addresses. A request reuses a socket only when the guard has just
 * judged the same host to the same addresses: the socket was connected to
 * one of them by the pinned lookup, so a reused connection never reaches an
 * address that was not judged allowed for that `host:port` by this request.
 * When DNS answers differently, the key differs and a fresh connection is
 * made to the new, judged addresses; the old ones idle out.
 */
export interface ConnectionPool {
  /** The agent for a request to `url` connected only to `addresses` (already judged). */
  agentFor(url: URL, addresses: readonly CheckedAddress[]): HttpAgent;
}

interface Entry {
  agent: HttpAgent;
  lastUsed: number;
}

function keyOf(url: URL, addresses: readonly CheckedAddress[]): string {
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  // Sorted: the same set in another order (round-robin DNS) is the same judgement.
  return `${url.protocol}//${url.hostname}:${port}/${addresses.map((a) => a.address).sort().join(',')}`;
}

/** Whether an agent has a request on one of its sockets (closing it would cut that request). */
function busy(agent: HttpAgent): boolean {
  return Object.values(agent.sockets).some((list) => (list?.length ?? 0) > 0) || Object.values(agent.requests).some((list) => (list?.length ?? 0) > 0);
}

/** A pool of kept-alive agents for one guard. */
export function createConnectionPool(idleMs = IDLE_SOCKET_MS): ConnectionPool {
  const entries = new Map<string, Entry>();

  /** Drops agents unused for a while (their sockets have idled out) and, past the cap, the oldest idle ones. */
  function prune(now: number): void {
    for (const [key, entry] of entries) {
      const stale = now - entry.lastUsed > 2 * idleMs;
      if ((stale || entries.size > MAX_AGENTS) && !busy(entry.agent)) {
        entry.agent.destroy();
        entries.delete(key);
      } else if (!stale) break; // Map order is use order: the rest are newer.
    }
  }

  return {
    agentFor(url, addresses) {
      const now = Date.now();
      prune(now);
      const key = keyOf(url, addresses);
      let entry = entries.get(key);
      if (entry) entries.delete(key);
      else {
        // `timeout` closes a socket once it has idled that long in the free list (Node destroys free sockets on timeout).
        const options = { keepAlive: true, timeout: idleMs, scheduling: 'lifo' as const };
        entry = { agent: url.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options), lastUsed: now };
      }
      entry.lastUsed = now;
      entries.set(key, entry);
      return entry.agent;
    },
  };
}
