// @vitest-environment jsdom
import './rtl.js';
import type { ChatChannel, ChatClient } from '@chatsdk/core';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Channel, ChatProvider, MessageInput, MessageList, ModerationQueue } from '../src/index.js';
import { type Harness, snapshotWhere, startHarness } from '../../core/test/helpers.js';
import { call, issueTokens } from '../../server/test/helpers/http.js';
import { fakeLayout } from './layout.js';

const composer = () => screen.getByRole('combobox', { name: 'Write a message' }) as HTMLTextAreaElement;
const type = (box: HTMLTextAreaElement, text: string) => fireEvent.change(box, { target: { value: text, selectionStart: text.length } });
const enter = (box: HTMLElement) => fireEvent.keyDown(box, { key: 'Enter' });
const send = () => screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;
const notice = () => document.querySelector('.chat-composer-notice');
function article(text: string): HTMLElement {
  const found = screen.getAllByRole('article').find((el) => el.querySelector('.chat-message-text')?.textContent?.includes(text));
  if (!found) throw new Error(`no message with ${text}`);
  return found;
}

/**
 * What members and moderators see of moderation, against a real server: ann
 * reports a message, the moderator's queue shows it live and bans; the
 * composer shows slow mode counting down, a freeze and a ban with its expiry,
 * and keeps the text of a refused send.
 */
describe('moderation in the components', () => {
  let h: Harness;
  let ann: ChatClient;
  let mod: ChatClient;
  let bob: ChatClient;
  let modRoom: ChatChannel;
  let bobRoom: ChatChannel;
  let restore: () => void;

  beforeAll(async () => {
    restore = fakeLayout();
    h = await startHarness();
    await issueTokens(h.t.baseUrl, h.apiKey, { userId: 'mod', role: 'moderator', name: 'Mona Moderator' });
    await issueTokens(h.t.baseUrl, h.apiKey, { userId: 'bob', name: 'Bob' });
    await h.tokens('ann');
    mod = await h.client('mod');
    bob = await h.client('bob');
    await Promise.all([mod.connect(), bob.connect()]);
    modRoom = await mod.channels.create({ type: 'team', id: 'room', name: 'Room', members: ['mod', 'ann', 'bob'] });
    bobRoom = bob.channel('room');
    await bobRoom.watch();
    await bobRoom.sendMessage('buy cheap watches now');
    ann = await h.client('ann');
    render(
      <>
        <ChatProvider client={ann}>
          <Channel id="room">
            <MessageList />
            <MessageInput />
          </Channel>
        </ChatProvider>
        <ChatProvider client={mod}>
          <ModerationQueue banTimeoutMinutes={60} />
        </ChatProvider>
      </>,
    );
  });
  afterAll(async () => {
    restore();
    await h.close();
  });

  it('a report, with its reason, shows as reported; the queue gets it live with the author, the count and the reasons', async () => {
    const queue = await screen.findByRole('region', { name: 'Moderation queue' });
    await within(queue).findByText('Nothing to review.');
    await screen.findByText('buy cheap watches now', { selector: '.chat-message-text, .chat-message-text *' });
    const spam = article('buy cheap watches now');
    fireEvent.click(within(spam).getByRole('button', { name: 'Report' }));
    const form = within(spam).getByRole('dialog', { name: 'Report message' });
    fireEvent.change(within(form).getByLabelText('Reason'), { target: { value: 'Spam' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Report' }));
    await within(article('buy cheap watches now')).findByText('Reported to the moderators.');
    const done = within(article('buy cheap watches now')).getByRole('button', { name: 'Reported' }) as HTMLButtonElement;
    expect(done.disabled).toBe(true);
    expect(within(article('buy cheap watches now')).queryByRole('dialog')).toBeNull();

    const item = await within(queue).findByRole('listitem', { name: 'Report about Bob' });
    expect(within(item).getByText('buy cheap watches now')).toBeTruthy();
    expect(within(item).getByText('1 report')).toBeTruthy();
    expect(within(within(item).getByRole('list', { name: 'Reasons' })).getByText('Spam')).toBeTruthy();
    expect(within(item).getByRole('button', { name: 'Dismiss the report about Bob' })).toBeTruthy();
    expect(within(item).getByRole('button', { name: "Delete Bob's message" })).toBeTruthy();
    expect(within(item).getByRole('button', { name: 'Shadow-ban Bob for 60 minutes' })).toBeTruthy();

    // Ban: the flag leaves the queue, and bob is banned for an hour.
    fireEvent.click(within(item).getByRole('button', { name: 'Ban Bob for 60 minutes' }));
    await within(queue).findByText('Nothing to review.');
    const bans = await mod.moderation.bans();
    expect(bans.bans.find((ban) => ban.userId === 'bob')?.expiresAt).not.toBeNull();
  });

  it('slow mode counts down after the own send; a refused send gives its text back', async () => {
    await modRoom.moderation.setCooldown(4);
    await snapshotWhere(ann.channel('room').state, (state) => state?.channel.cooldownSeconds === 4);
    const box = composer();
    type(box, 'my first');
    enter(box);
    await waitFor(() => expect(notice()?.textContent).toMatch(/^Slow mode: you can send again in [34]s\.$/));
    expect(box.value).toBe('');
    // Writing meanwhile is fine; Send is off and Enter keeps the text.
    type(box, 'my second');
    expect(send().disabled).toBe(true);
    enter(box);
    expect(box.value).toBe('my second');
    // It counts down, and lets go at the end.
    await waitFor(() => expect(notice()?.textContent).toMatch(/in [12]s/));
    await waitFor(() => expect(send().disabled).toBe(false), { timeout: 6000 });
    expect(notice()).toBeNull();

    // Another device of ann's sent just now: this composer does not know, the server refuses, the text comes back.
    const other = await h.client('ann');
    await other.channel('room').sendMessage('from my phone');
    enter(composer());
    await waitFor(() => expect(notice()?.textContent).toMatch(/^Slow mode: you can send again in [1-4]s\.$/));
    await waitFor(() => expect(composer().value).toBe('my second'));
    // The refused copy left the list: the text is in the composer, not shown twice.
    expect(screen.queryByText('my second', { selector: '.chat-message-text, .chat-message-text *' })).toBeNull();
    await waitFor(() => expect(send().disabled).toBe(false), { timeout: 6000 });
    enter(composer());
    await waitFor(() => expect(article('my second').dataset.status).toBe('sent'));
    await modRoom.moderation.setCooldown(0);
  }, 30_000);

  it('a freeze locks the composer and keeps the text; a ban shows until when', async () => {
    type(composer(), 'draft kept');
    await modRoom.moderation.freeze();
    await waitFor(() => expect(notice()?.textContent).toBe('This channel is frozen: only moderators can send messages.'));
    expect(composer().disabled).toBe(true);
    expect(composer().value).toBe('draft kept');
    expect(send().disabled).toBe(true);
    await modRoom.moderation.unfreeze();
    await waitFor(() => expect(notice()).toBeNull());
    expect(composer().disabled).toBe(false);

    const ban = await mod.moderation.ban({ userId: 'ann', channelId: 'room', timeoutMinutes: 90 });
    await waitFor(() => expect(notice()?.textContent).toMatch(/^You are banned from this channel until .+: you cannot send messages\.$/));
    expect(notice()?.querySelector('time')?.getAttribute('dateTime')).toBe(ban.expiresAt);
    expect(composer().value).toBe('draft kept');
    await act(async () => {
      await mod.moderation.unban('ann', { channelId: 'room' });
      await ann.channel('room').get();
    });
    await waitFor(() => expect(notice()).toBeNull());
  });

  it('a message a blocklist refuses comes back to the composer with why, until the text changes', async () => {
    await mod.moderation.blocklists.create({ name: 'nope', words: ['forbidden'], mode: 'block' });
    await modRoom.moderation.setBlocklists(['nope']);
    await snapshotWhere(ann.channel('room').state, (state) => state?.channel.blocklists.includes('nope') === true);
    type(composer(), 'a Forbidden word');
    enter(composer());
    await waitFor(() => expect(composer().value).toBe('a Forbidden word'));
    expect(screen.getByRole('alert').textContent).toBe('Not sent: your message contains words this channel does not allow.');
    expect(screen.queryByText('a Forbidden word', { selector: '.chat-message-text, .chat-message-text *' })).toBeNull();
    type(composer(), 'a fine word');
    expect(notice()).toBeNull();
    enter(composer());
    await waitFor(() => expect(article('a fine word').dataset.status).toBe('sent'));
    await modRoom.moderation.setBlocklists([]);
  });

  it('a message hidden for review (auto-hidden after a report) says so instead of its text, for everyone', async () => {
    // The app hides a message once one user reported it (off by default).
    const patched = await call(h.t.baseUrl, '/api/app', { method: 'PATCH', apiKey: h.apiKey, body: { autoHideAfterFlags: 1 } });
    expect(patched.status).toBe(200);
    await mod.moderation.unban('bob');
    await bobRoom.sendMessage('click this totally safe link');
    await screen.findByText('click this totally safe link', { selector: '.chat-message-text, .chat-message-text *' });
    fireEvent.click(within(article('click this totally safe link')).getByRole('button', { name: 'Report' }));
    fireEvent.click(within(screen.getByRole('dialog', { name: 'Report message' })).getByRole('button', { name: 'Report' }));
    await screen.findByText('This message is hidden for review.');
    expect(screen.queryByText('click this totally safe link', { selector: '.chat-message-text, .chat-message-text *' })).toBeNull();
    // The moderator's queue shows what the message said, and that it is hidden.
    const queue = screen.getByRole('region', { name: 'Moderation queue' });
    const item = await within(queue).findByRole('listitem', { name: 'Report about Bob' });
    expect(within(item).getByText('click this totally safe link')).toBeTruthy();
    expect(within(item).getByText('hidden for review')).toBeTruthy();
    fireEvent.click(within(item).getByRole('button', { name: 'Dismiss the report about Bob' }));
    await within(queue).findByText('Nothing to review.');
  });

  it("marks a shadow-banned author's message for the moderators who see it, never for its author", async () => {
    // Banning again replaces bob's ban from the review: now a shadow ban, which lets him send.
    await mod.moderation.ban({ userId: 'bob', shadow: true });
    await bobRoom.sendMessage('nobody hears me');
    const asMod = render(
      <ChatProvider client={mod}>
        <Channel id="room">
          <MessageList />
        </Channel>
      </ChatProvider>,
    );
    const modsCopy = await within(asMod.container).findByText('nobody hears me', { selector: '.chat-message-text, .chat-message-text *' });
    await within(modsCopy.closest('article') as HTMLElement).findByText("Hidden from others: its author is shadow-banned.");
    asMod.unmount();
    const asBob = render(
      <ChatProvider client={bob}>
        <Channel id="room">
          <MessageList />
        </Channel>
      </ChatProvider>,
    );
    const bobsCopy = await within(asBob.container).findByText('nobody hears me', { selector: '.chat-message-text, .chat-message-text *' });
    expect((bobsCopy.closest('article') as HTMLElement).textContent).not.toMatch(/shadow/);
    asBob.unmount();
    // ann, a member, never sees it.
    expect(ann.channel('room').messages.getSnapshot().messages.some((m) => m.text === 'nobody hears me')).toBe(false);
  });
});
