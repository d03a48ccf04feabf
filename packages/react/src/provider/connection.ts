import type { ChatClient } from '@chatsdk/core';
import { createLease, type Lease, leaseFor } from './lease.js';

const leases = new WeakMap<ChatClient, Lease>();

/** The client's shared connection: connected while at least one provider holds it. */
export function connectionLease(client: ChatClient): Lease {
  return leaseFor(leases, client, () =>
    createLease(
      () => void client.connect().catch((error: unknown) => console.warn('ChatProvider: connect failed (the client keeps trying)', error)),
      () => void client.disconnect(),
    ),
  );
}
