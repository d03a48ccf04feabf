import type { Flag, Message } from '@chatsdk/protocol';
import type { Store } from '../../store/store.js';
import type { Tx } from '../events/batch-end.js';

/** A blocklist's flag of a message, as a send records it. */
export interface SystemFlagInput {
  appId: string;
  /** The message as stored (wire form, before hiding). */
  message: Message;
  /** Why: the names of the `flag` blocklists that matched. */
  reason: string;
}

/**
 * Flags a message for review on behalf of the system (a blocklist in `flag`
 * mode), inside the send's transaction: the flag, its report, the audit entry
 * and the `moderation.flagged` webhook event commit with the message. Answers
 * the flag as the queue shows it, for the caller to announce to moderators
 * after the commit (`flag-announce.ts`).
 *
 * (Issue 17 foundation: written by the flags work.)
 */
export async function flagMessageBySystem(store: Store, trx: Tx, input: SystemFlagInput): Promise<Flag | undefined> {
  void store;
  void trx;
  void input;
  return undefined;
}
