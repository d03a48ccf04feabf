import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatSDKError } from '../src/index.js';
import { storeKinds } from '../../server/test/helpers/stores.js';
import { type Chat, startChat } from './helpers.js';

describe.each(storeKinds)('createToken and users, against a real server (%s)', (kind) => {
  let chat: Chat;
  beforeAll(async () => {
    chat = await startChat({}, kind);
  });
  afterAll(() => chat.close());

  it('createToken upserts the user and gives a token that works on REST (and a wsToken that does not)', async () => {
    const first = await chat.sdk.createToken({ userId: 'ada', name: 'Ada', image: 'https://example.com/ada.png', custom: { plan: 'pro' } });
    expect(first.user).toMatchObject({ id: 'ada', name: 'Ada', image: 'https://example.com/ada.png', custom: { plan: 'pro' } });
    expect(first.expiresIn).toBe(86400);
    const me = await chat.asUser(first.token, '/api/users/me');
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe('ada');
    expect((await chat.asUser(first.wsToken, '/api/users/me')).status).toBe(401);

    // The same userId again updates the one user: never a second one.
    const again = await chat.sdk.createToken({ userId: 'ada', name: 'Ada Lovelace', custom: { plan: 'team' } });
    expect(again.user).toMatchObject({ id: 'ada', name: 'Ada Lovelace', image: 'https://example.com/ada.png', custom: { plan: 'team' } });
    const listed = (await (await chat.asUser(again.token, '/api/users?ids=ada')).json()) as { users: { id: string; name: string }[] };
    expect(listed.users).toEqual([expect.objectContaining({ id: 'ada', name: 'Ada Lovelace' })]);
  });

  it('upsertUsers creates and updates in one call; users.get reads one back', async () => {
    const users = await chat.sdk.upsertUsers([{ id: 'u1', name: 'One' }, { id: 'u2', name: 'Two', role: 'moderator' }]);
    expect(users.map((u) => [u.id, u.name, u.role])).toEqual([['u1', 'One', 'user'], ['u2', 'Two', 'moderator']]);
    await chat.sdk.upsertUsers([{ id: 'u1', custom: { team: 'red' } }]);
    expect(await chat.sdk.users.get('u1')).toMatchObject({ id: 'u1', name: 'One', custom: { team: 'red' } });
  });

  it('revokeTokens makes the tokens issued before it fail with token_revoked', async () => {
    const { token } = await chat.sdk.createToken({ userId: 'revoked' });
    expect((await chat.asUser(token, '/api/users/me')).status).toBe(200);
    const answer = await chat.sdk.revokeTokens('revoked');
    expect(answer.userId).toBe('revoked');
    const after = await chat.asUser(token, '/api/users/me');
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('token_revoked');
  });

  it('deleteUser deletes (their token stops working), and a missing user is user_not_found', async () => {
    const { token } = await chat.sdk.createToken({ userId: 'gone' });
    await chat.sdk.deleteUser('gone', { hard: true });
    expect((await chat.asUser(token, '/api/users/me')).status).toBe(401);
    const error = await chat.sdk.deleteUser('gone').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatSDKError);
    expect(error).toMatchObject({ code: 'user_not_found', status: 404 });
  });

  it('encodes ids in paths: an id with a slash cannot reach another route', async () => {
    // Sent as one segment, the id is refused for what it is (no user id has a "/");
    // unencoded it would be GET /api/users/u1/revoke-tokens, a route that does not exist (not_found).
    const error = await chat.sdk.users.get('u1/revoke-tokens').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatSDKError);
    expect(error).toMatchObject({ code: 'validation_failed', status: 400 });
  });
});
