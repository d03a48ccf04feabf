import type { ChannelState, User } from '@chatsdk/protocol';
import { describe, expect, it } from 'vitest';
import { ChatError } from '../errors.js';
import type { RequestManager } from '../http/requests.js';
import { Store } from '../store.js';
import { ChannelModeration, type SendState } from './moderation.js';

function channelState(change: { frozen?: boolean; cooldownSeconds?: number; role?: 'member' | 'moderator'; ban?: { expiresAt: string | null; channelId: string | null } } = {}): ChannelState {
  return {
    channel: { id: 'c', frozen: change.frozen ?? false, cooldownSeconds: change.cooldownSeconds ?? 0 },
    lastMessage: null,
    membership: { role: change.role ?? 'member', ...(change.ban ? { ban: change.ban } : {}) },
  } as unknown as ChannelState;
}

function setUp(state: ChannelState, user: Partial<User> | null = null) {
  const store = new Store<ChannelState | null>(state);
  const current = new Store<User | null>(user as User | null);
  // No call reaches the network in these tests.
  const moderation = new ChannelModeration(store, current, {} as RequestManager, '/api/channels/c');
  return { store, current, moderation };
}

/** Resolves with the send state once `match` accepts it, as a subscribed UI would see it. */
function stateWhere(moderation: ChannelModeration, match: (state: SendState) => boolean, ms = 2000): Promise<SendState> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = moderation.sendState.getSnapshot();
      if (!match(state)) return;
      stop();
      clearTimeout(timer);
      resolve(state);
    };
    const stop = moderation.sendState.subscribe(check);
    const timer = setTimeout(() => reject(new Error(`still ${JSON.stringify(moderation.sendState.getSnapshot())}`)), ms);
    check();
  });
}

describe('a channel send state', () => {
  it('opens by itself when a timed ban ends, and a ban outranks a freeze', async () => {
    const expiresAt = new Date(Date.now() + 150).toISOString();
    const { moderation } = setUp(channelState({ frozen: true, ban: { expiresAt, channelId: 'c' } }));
    expect(moderation.sendState.getSnapshot()).toEqual({ status: 'banned', expiresAt, channelId: 'c' });
    await stateWhere(moderation, (state) => state.status === 'frozen');
  });

  it('counts a cooldown from the own send and from a 429, and lets go when it ends', async () => {
    const { moderation } = setUp(channelState({ cooldownSeconds: 1 }));
    moderation.sending();
    const cooling = moderation.sendState.getSnapshot();
    expect(cooling.status === 'cooldown' && cooling.until - Date.now()).toBeGreaterThan(900);
    await stateWhere(moderation, (state) => state.status === 'open');

    const refusal = new ChatError('slow_mode', 'slow', 429, undefined, { details: { retryAfterSeconds: 1, cooldownSeconds: 1 } });
    moderation.refused(refusal, true);
    expect(moderation.sendState.getSnapshot().status).toBe('cooldown');
    // Another refusal of a send gives its slot back.
    moderation.refused(new ChatError('message_blocked', 'blocked', 400), true);
    expect(moderation.sendState.getSnapshot()).toEqual({ status: 'open' });
  });

  it('learns a ban, a freeze and slow mode from refusals it did not know of', () => {
    const { moderation, store } = setUp(channelState());
    moderation.refused(new ChatError('channel_frozen', 'frozen', 403), true);
    expect(moderation.sendState.getSnapshot()).toEqual({ status: 'frozen' });
    store.set(channelState());
    moderation.refused(new ChatError('slow_mode', 'slow', 429, undefined, { details: { retryAfterSeconds: 5, cooldownSeconds: 30 } }), true);
    expect(store.getSnapshot()?.channel.cooldownSeconds).toBe(30);
    expect(moderation.sendState.getSnapshot().status).toBe('cooldown');
    moderation.refused(new ChatError('user_banned', 'banned', 403, undefined, { details: { expiresAt: null, channelId: null } }), false);
    expect(moderation.sendState.getSnapshot()).toEqual({ status: 'banned', expiresAt: null, channelId: null });
  });

  it('exempts channel moderators and app moderators from freezes and slow mode, not from bans', () => {
    const frozen = setUp(channelState({ frozen: true, cooldownSeconds: 30, role: 'moderator' }));
    frozen.moderation.sending();
    expect(frozen.moderation.sendState.getSnapshot()).toEqual({ status: 'open' });
    const app = setUp(channelState({ frozen: true }), null);
    expect(app.moderation.sendState.getSnapshot()).toEqual({ status: 'frozen' });
    app.current.set({ id: 'me', role: 'moderator' } as User);
    expect(app.moderation.sendState.getSnapshot()).toEqual({ status: 'open' });
    const banned = setUp(channelState({ role: 'moderator', ban: { expiresAt: null, channelId: null } }), { role: 'admin' });
    expect(banned.moderation.sendState.getSnapshot().status).toBe('banned');
  });
});

describe('a channel send state, as a store', () => {
  it('keeps its snapshot while the channel moves on without changing it (a new message)', () => {
    const { moderation, store } = setUp(channelState({ frozen: true }));
    const before = moderation.sendState.getSnapshot();
    store.set({ ...channelState({ frozen: true }), lastMessage: null });
    expect(moderation.sendState.getSnapshot()).toBe(before);
  });
});
