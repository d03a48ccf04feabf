import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chat, startChat } from './helpers.js';

describe('channels and messages, against a real server', () => {
  let chat: Chat;
  beforeAll(async () => {
    chat = await startChat();
    await chat.sdk.upsertUsers([{ id: 'alice' }, { id: 'bob' }, { id: 'carol' }]);
  });
  afterAll(() => chat.close());

  it('creates, reads, updates and deletes a channel', async () => {
    const created = await chat.sdk.channels.create({ type: 'team', id: 'general', name: 'General', members: ['alice', 'bob'], createdBy: 'alice', custom: { topic: 'all' } });
    expect(created.channel).toMatchObject({ id: 'general', type: 'team', name: 'General', custom: { topic: 'all' }, memberCount: 2 });
    // A create with the same id answers the channel that exists: why a create with an id is retried.
    expect((await chat.sdk.channels.create({ type: 'team', id: 'general' })).channel.name).toBe('General');

    const updated = await chat.sdk.channels.update('general', { name: 'All hands' });
    expect(updated.channel.name).toBe('All hands');
    expect((await chat.sdk.channels.get('general')).channel.name).toBe('All hands');

    await chat.sdk.channels.delete('general');
    await expect(chat.sdk.channels.get('general')).rejects.toMatchObject({ code: 'channel_not_found', status: 404 });
  });

  it('adds and removes members, and the channel shows them', async () => {
    await chat.sdk.channels.create({ type: 'team', id: 'crew', members: ['alice'], createdBy: 'alice' });
    const added = await chat.sdk.channels.addMembers('crew', ['bob', 'carol'], { role: 'moderator' });
    expect(added.map((m) => [m.userId, m.role]).sort()).toEqual([['bob', 'moderator'], ['carol', 'moderator']]);
    // Adding members who already are adds nothing: the call may be retried.
    expect(await chat.sdk.channels.addMembers('crew', ['bob'])).toEqual([]);
    expect((await chat.sdk.channels.get('crew')).channel.memberCount).toBe(3);

    await chat.sdk.channels.removeMembers('crew', ['bob', 'carol']);
    expect((await chat.sdk.channels.get('crew')).channel.memberCount).toBe(1);
    await expect(chat.sdk.channels.removeMembers('crew', ['bob'])).rejects.toMatchObject({ code: 'user_not_found', status: 404 });
  });

  it('sends a message as a user; the user reads it with their own token', async () => {
    await chat.sdk.channels.create({ type: 'messaging', id: 'dm-ab', members: ['alice', 'bob'], createdBy: 'alice' });
    const message = await chat.sdk.channels.sendMessage('dm-ab', { userId: 'alice', text: 'hello bob', custom: { via: 'backend' } });
    expect(message).toMatchObject({ channelId: 'dm-ab', userId: 'alice', text: 'hello bob', custom: { via: 'backend' }, seq: 1 });

    const { token } = await chat.sdk.createToken({ userId: 'bob' });
    const read = await chat.asUser(token, `/api/messages/${message.id}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { message: { text: string } }).message.text).toBe('hello bob');
  });

  it('a send with its own id, repeated, is the one message', async () => {
    const first = await chat.sdk.channels.sendMessage('dm-ab', { id: 'welcome-1', userId: 'bob', text: 'hi' });
    const again = await chat.sdk.channels.sendMessage('dm-ab', { id: 'welcome-1', userId: 'bob', text: 'hi' });
    expect(again.id).toBe('welcome-1');
    expect(again.seq).toBe(first.seq);
    expect((await chat.sdk.channels.get('dm-ab')).lastMessage?.id).toBe('welcome-1');
  });

  it('refuses to send as a user who is not a member, with the server\'s code and message', async () => {
    await expect(chat.sdk.channels.sendMessage('dm-ab', { userId: 'carol', text: 'let me in' })).rejects.toMatchObject({
      code: 'validation_failed',
      status: 400,
      message: expect.stringContaining('not a member'),
    });
  });
});
