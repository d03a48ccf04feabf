import type { Bus } from '../../bus/bus.js';

/** The bus topic on which every process learns that a user's tokens no longer hold. */
export const REVOCATIONS_TOPIC = 'auth:revoked';

/** A user whose live connections must end: their tokens were revoked or they were deleted. */
export interface Revocation {
  appId: string;
  userId: string;
}

/**
 * Tells every process, after the change is committed, to end the user's
 * connections. A lost announcement is not a hole: the next connect or
 * refresh checks the store.
 */
export async function announceRevocation(bus: Bus, revocation: Revocation): Promise<void> {
  try {
    await bus.publish(REVOCATIONS_TOPIC, JSON.stringify(revocation));
  } catch {
    // See above: the store stays the authority.
  }
}
