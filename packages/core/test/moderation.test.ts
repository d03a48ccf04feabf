import type { ModerationFlaggedEvent } from '@chatsdk/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatError, type ChatChannel, type ChatClient, type SendState } from '../src/index.js';
import { call, issueTokens } from '../../server/test/helpers/http.js';
import { type Harness, snapshotWhere, startHarness, until } from './helpers.js';

/** The refusal a call ends with. */
async function refusal(work: Promise<unknown>): Promise<ChatError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ChatError)) throw new Error(`expected a ChatError, got ${String(error)}`);
  return error;
}

/** The send state once `match` accepts it. */
const sendStateWhere = (channel: ChatChannel, match: (state: SendState) => boolean) => snapshotWhere(channel.moderation.sendState, match);

/**
 * The moderation client against a real server: refusals carry their details
 * (a ban's expiry, slow mode's wait) into the composer's `sendState`, the
 * review queue is live, and every moderation call reaches its route.
 */
describe('moderation from the client', () => {
  let h: Harness;
  let mod: ChatClient;
  let ann: ChatClient;
  let bob: ChatClient;
  let modRoom: ChatChannel;
  let annRoom: ChatChannel;

  beforeAll(async () => {
    h = await startHarness();
    // App roles are the customer's backend's to give (POST /tokens with the key); later tokens keep them.
    await issueTokens(h.t.baseUrl, h.apiKey, { userId: 'mod', role: 'moderator' });
    mod = await h.client('mod');
    ann = await h.client('ann');
    bob = await h.client('bob');
    await Promise.all([mod.connect(), ann.connect(), bob.connect()]);
    modRoom = await mod.channels.create({ type: 'team', id: 'room', name: 'Room', members: ['mod', 'ann', 'bob'] });
    annRoom = ann.channel('room');
    await Promise.all([modRoom.watch(), annRoom.watch(), bob.channel('room').watch()]);
  });
  afterAll(() => h.close());

  it('slow mode: the cooldown starts at the own send, a 429 carries its wait, and the outbox does not retry it', async () => {
    await modRoom.moderation.setCooldown(30);
    // The member hears of it live (channel.updated); a moderator is exempt.
    await snapshotWhere(annRoom.state, (state) => state?.channel.cooldownSeconds === 30);
    await annRoom.sendMessage('first in slow mode');
    const cooling = await sendStateWhere(annRoom, (state) => state.status === 'cooldown');
    expect(cooling.status === 'cooldown' && cooling.until - Date.now()).toBeGreaterThan(25_000);
    expect(modRoom.moderation.sendState.getSnapshot()).toEqual({ status: 'open' });

    // A second send anyway (another device would): refused at once, not retried on the outbox's backoff.
    const started = Date.now();
    const error = await refusal(annRoom.sendMessage('too soon'));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error).toMatchObject({ code: 'slow_mode', status: 429 });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(error.isTransient).toBe(false);
    expect(annRoom.messages.getSnapshot().messages.find((m) => m.text === 'too soon')?.status).toBe('failed');
    expect(annRoom.moderation.sendState.getSnapshot().status).toBe('cooldown');

    await modRoom.moderation.setCooldown(0);
    await sendStateWhere(annRoom, (state) => state.status === 'open');
  });

  it('freeze: members see it live and are refused; moderators still send', async () => {
    await modRoom.moderation.freeze();
    await sendStateWhere(annRoom, (state) => state.status === 'frozen');
    const error = await refusal(annRoom.sendMessage('while frozen'));
    expect(error).toMatchObject({ code: 'channel_frozen', status: 403 });
    expect((await modRoom.sendMessage('moderators may')).status).toBe('sent');
    await modRoom.moderation.unfreeze();
    await sendStateWhere(annRoom, (state) => state.status === 'open');
  });

  it('a timed channel ban: the refusal carries its expiry, the membership shows it; once lifted the channel is live again', async () => {
    const ban = await mod.moderation.ban({ userId: 'ann', channelId: 'room', timeoutMinutes: 30, reason: 'spam' });
    expect(ban).toMatchObject({ userId: 'ann', channelId: 'room', shadow: false, reason: 'spam' });
    // The server ends her subscription (2002) and the client reads the channel again: the composer shows the ban.
    const banned = await sendStateWhere(annRoom, (state) => state.status === 'banned');
    expect(banned).toEqual({ status: 'banned', expiresAt: ban.expiresAt, channelId: 'room' });

    const error = await refusal(annRoom.sendMessage('am I banned?'));
    expect(error).toMatchObject({ code: 'user_banned', status: 403 });
    expect(error.ban).toEqual({ expiresAt: ban.expiresAt, channelId: 'room' });
    expect(error.details?.expiresAt).toBe(ban.expiresAt);

    const page = await mod.moderation.bans({ channelId: 'room' });
    expect(page.bans.map((item) => item.userId)).toEqual(['ann']);
    expect((await mod.moderation.unban('ann', { channelId: 'room' })).userId).toBe('ann');
    expect((await refusal(mod.moderation.unban('ann', { channelId: 'room' }))).code).toBe('ban_not_found');
    // No event reaches her of the lift: the next read finds it, and the channel is watched (live) again.
    expect(annRoom.watched).toBe(false);
    await annRoom.get();
    await sendStateWhere(annRoom, (state) => state.status === 'open');
    await until(() => annRoom.watched);
    const back = await modRoom.sendMessage('welcome back, ann');
    await snapshotWhere(annRoom.messages, (s) => s.messages.some((m) => m.id === back.id));
  });

  it('flags: a report shows as reported, reaches the moderator live, and a review takes it out of the queue', async () => {
    const flagged: ModerationFlaggedEvent[] = [];
    mod.on('moderation.flagged', (event) => flagged.push(event));
    await mod.moderation.queue.reload();
    const rude = await bob.channel('room').sendMessage('something rude');
    await snapshotWhere(annRoom.messages, (s) => s.messages.some((m) => m.id === rude.id));

    const answer = await annRoom.moderation.flagMessage(rude.id, { reason: 'rude' });
    expect(answer.created).toBe(true);
    expect(answer.flag).toMatchObject({ targetType: 'message', messageId: rude.id, targetUserId: 'bob', status: 'pending' });
    expect(annRoom.moderation.reported.getSnapshot().has(rude.id)).toBe(true);
    expect((await annRoom.moderation.flagMessage(rude.id)).created).toBe(false);

    const queue = await snapshotWhere(mod.moderation.queue, (s) => s.flags.some((flag) => flag.messageId === rude.id));
    const item = queue.flags.find((flag) => flag.messageId === rude.id);
    expect(item).toMatchObject({ flagCount: 1, reasons: ['rude'], user: { id: 'bob' }, message: { text: 'something rude' } });
    await until(() => flagged.some((event) => event.flag.messageId === rude.id));
    // A member's queue is refused: the queue is the moderators'.
    expect((await refusal(ann.moderation.flags())).code).toBe('forbidden');

    const done = await mod.moderation.review(item?.id as string, 'delete_message', { reason: 'rude' });
    expect(done).toMatchObject({ id: item?.id, status: 'reviewed', review: { action: 'delete_message', reviewedBy: 'mod' } });
    expect(mod.moderation.queue.getSnapshot().flags.some((flag) => flag.id === item?.id)).toBe(false);
    await snapshotWhere(annRoom.messages, (s) => s.messages.find((m) => m.id === rude.id)?.deletedAt !== null);
    const reviewed = await mod.moderation.flags({ status: 'reviewed' });
    expect(reviewed.flags.find((flag) => flag.id === item?.id)?.review?.action).toBe('delete_message');

    const user = await ann.users.flag('bob', { reason: 'keeps at it' });
    expect(user.flag).toMatchObject({ targetType: 'user', targetUserId: 'bob' });
    await snapshotWhere(mod.moderation.queue, (s) => s.flags.some((flag) => flag.id === user.flag.id));
    await mod.moderation.review(user.flag.id, 'dismiss');
  });

  it('blocklists: made, read, changed, attached to a channel, a blocked send names its list; then deleted', async () => {
    const list = await mod.moderation.blocklists.create({ name: 'rude-words', words: ['darn'], mode: 'block' });
    expect(list).toMatchObject({ name: 'rude-words', words: ['darn'], mode: 'block' });
    expect((await mod.moderation.blocklists.list()).map((item) => item.name)).toContain('rude-words');
    expect((await mod.moderation.blocklists.update('rude-words', { words: ['darn', 'heck'] })).words).toEqual(['darn', 'heck']);
    expect((await mod.moderation.blocklists.get('rude-words')).words).toEqual(['darn', 'heck']);
    await modRoom.moderation.setBlocklists(['rude-words']);
    await snapshotWhere(annRoom.state, (state) => state?.channel.blocklists.includes('rude-words') === true);

    const error = await refusal(annRoom.sendMessage('oh HECK'));
    expect(error).toMatchObject({ code: 'message_blocked', status: 400 });
    expect(error.details?.blocklist).toBe('rude-words');
    // A refusal that is not slow mode leaves no cooldown behind, and the composer stays open.
    expect(annRoom.moderation.sendState.getSnapshot()).toEqual({ status: 'open' });

    await modRoom.moderation.setBlocklists([]);
    await mod.moderation.blocklists.delete('rude-words');
    expect((await refusal(mod.moderation.blocklists.get('rude-words'))).code).toBe('blocklist_not_found');
  });

  it('mutes, bulk deletes and the audit log', async () => {
    expect((await ann.users.mute('bob')).mutes.map((mute) => mute.userId)).toEqual(['bob']);
    expect((await ann.users.mutes()).mutes.map((mute) => mute.userId)).toEqual(['bob']);
    expect((await ann.users.unmute('bob')).mutes).toEqual([]);
    expect((await ann.users.mutes()).mutes).toEqual([]);

    const bobs = bob.channel('room');
    await bobs.sendMessage('one');
    await bobs.sendMessage('two');
    expect(await mod.moderation.deleteUserMessages('bob', { channelId: 'room' })).toBeGreaterThanOrEqual(2);
    await snapshotWhere(annRoom.messages, (s) => s.messages.filter((m) => m.userId === 'bob').every((m) => m.deletedAt !== null));

    const audit = await mod.moderation.audit({ limit: 100 });
    const actions = new Set(audit.entries.map((entry) => entry.action));
    for (const action of ['ban', 'unban', 'channel.freeze', 'channel.slow_mode', 'messages.delete']) expect(actions).toContain(action);
    expect((await mod.moderation.audit({ action: 'ban' })).entries.every((entry) => entry.action === 'ban')).toBe(true);
  });

  it('an app ban closes the socket until it ends, every open channel shows it, a new session too', async () => {
    const carl = await h.client('carl');
    await carl.connect();
    await modRoom.addMembers(['carl']);
    const carlsRoom = carl.channel('room');
    await carlsRoom.watch();
    const error = await refusal(mod.moderation.ban({ userId: 'nobody-here' }));
    expect(error.status).toBe(404);

    await call(h.t.baseUrl, '/api/moderation/bans', { method: 'POST', apiKey: h.apiKey, body: { userId: 'carl', timeoutMinutes: 60 } });
    await snapshotWhere(carl.connection, (state) => state.status === 'disconnected');
    const banned = await sendStateWhere(carlsRoom, (state) => state.status === 'banned');
    expect(banned).toMatchObject({ status: 'banned', channelId: null });
    expect((await refusal(carlsRoom.sendMessage('let me in'))).ban?.channelId).toBeNull();

    // A new session of his (a reload): the socket is refused at once, not after the connect timeout, and the
    // channel it opens shows the ban.
    const again = await h.client('carl');
    const started = Date.now();
    expect((await refusal(again.connect())).code).toBe('not_connected');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(again.connection.getSnapshot()).toMatchObject({ status: 'disconnected', reason: 'banned' });
    const room = await again.channels.get('room');
    expect(room.moderation.sendState.getSnapshot()).toMatchObject({ status: 'banned', channelId: null });

    // The ban ends by itself (brought forward in the store: the shortest ban is a minute): the first session's
    // channel reads it, its composer opens at the expiry, and the socket connects again.
    await h.t.server.context.store.db.updateTable('bans').set({ expires_at: Date.now() + 1500 }).where('user_id', '=', 'carl').execute();
    await carlsRoom.get();
    await sendStateWhere(carlsRoom, (state) => state.status === 'open');
    await snapshotWhere(carl.connection, (state) => state.status === 'connected');
    expect((await carlsRoom.sendMessage('back again')).status).toBe('sent');
  });
});
