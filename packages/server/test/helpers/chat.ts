import type { ChannelState, CreateChannelBody, Message, MessageResponse, SendMessageBody } from '@chatsdk/protocol';
import { expect } from 'vitest';
import { call, issueTokens } from './http.js';
import type { TestServer } from './server.js';

/** A user of a test app with their REST token. */
export interface ChatUser {
  id: string;
  token: string;
}

/** A test app with its key and a few users. */
export interface ChatApp {
  appId: string;
  apiKey: string;
  users: Record<string, ChatUser>;
}

/** Creates an app and users with tokens (each user id also names the user). */
export async function chatApp(t: TestServer, userIds: string[], appName = 'Chat'): Promise<ChatApp> {
  const { app, apiKey } = await t.createApp(appName);
  const users: Record<string, ChatUser> = {};
  for (const id of userIds) {
    const { token } = await issueTokens(t.baseUrl, apiKey, { userId: id, name: id });
    users[id] = { id, token };
  }
  return { appId: app.id, apiKey, users };
}

/** Creates a channel as `token`'s user (or the server with `apiKey`), asserting success. */
export async function createChannel(
  t: TestServer,
  auth: { token?: string; apiKey?: string },
  body: CreateChannelBody,
): Promise<ChannelState> {
  const reply = await call<ChannelState>(t.baseUrl, '/api/channels', { ...auth, body });
  expect([200, 201], JSON.stringify(reply.body)).toContain(reply.status);
  return reply.body;
}

/** Sends a message, asserting success. */
export async function send(
  t: TestServer,
  auth: { token?: string; apiKey?: string },
  channelId: string,
  body: SendMessageBody,
): Promise<Message> {
  const reply = await call<MessageResponse>(t.baseUrl, `/api/channels/${channelId}/messages`, { ...auth, body });
  expect([200, 201], JSON.stringify(reply.body)).toContain(reply.status);
  return reply.body.message;
}
