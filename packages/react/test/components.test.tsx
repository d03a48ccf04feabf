// @vitest-environment jsdom
import './rtl.js';
import type { ChatChannel, ChatClient } from '@chatsdk/core';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { type ReactNode, useState } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Channel, ChannelHeader, ChannelList, ChannelPanel, ChatProvider, ChatTheme, MessageInput, MessageList, Thread, TypingIndicator } from '../src/index.js';
import { type Harness, snapshotWhere, startHarness } from '../../core/test/helpers.js';
import { fakeLayout } from './layout.js';

function App(): ReactNode {
  const [active, setActive] = useState<string | null>(null);
  return (
    <ChatTheme theme="dark">
      <ChannelList activeChannelId={active} onSelect={setActive} />
      {active ? (
        <Channel id={active}>
          <ChannelHeader />
          <MessageList />
          <TypingIndicator />
          <MessageInput />
          <Thread />
          <ChannelPanel />
        </Channel>
      ) : null}
    </ChatTheme>
  );
}

const composer = () => screen.getByRole('combobox', { name: 'Write a message' }) as HTMLTextAreaElement;
const type = (box: HTMLTextAreaElement, text: string) => fireEvent.change(box, { target: { value: text, selectionStart: text.length } });
const enter = (box: HTMLElement) => fireEvent.keyDown(box, { key: 'Enter' });
/** The message whose text contains `text`. */
function article(text: string): HTMLElement {
  const found = screen.getAllByRole('article').find((el) => el.querySelector('.chat-message-text')?.textContent?.includes(text));
  if (!found) throw new Error(`no message with ${text}`);
  return found;
}

describe('a Slack-like screen against a real server', () => {
  let h: Harness;
  let ann: ChatClient;
  let bob: ChatClient;
  let bobs: ChatChannel;
  let restore: () => void;

  beforeAll(async () => {
    restore = fakeLayout();
    h = await startHarness();
    await h.tokens('ann');
    bob = await h.client('bob');
    await bob.connect();
    await bob.channels.create({ type: 'messaging', id: 'project', name: 'Project', members: ['ann', 'bob'] });
    bobs = bob.channel('project');
    await bobs.watch();
    await bobs.sendMessage('welcome to the project');
    ann = await h.client('ann');
    render(
      <ChatProvider client={ann}>
        <App />
      </ChatProvider>,
    );
  });
  afterAll(async () => {
    restore();
    await h.close();
  });

  it('lists channels, opens one by keyboard, and shows its messages and header', async () => {
    const option = await screen.findByRole('option', { name: /Project/ });
    expect(within(option).getByText('welcome to the project')).toBeTruthy();
    await within(option).findByLabelText('1 unread');
    fireEvent.keyDown(option, { key: 'Enter' });
    await waitFor(() => expect(screen.getByRole('option', { name: /Project/ }).getAttribute('aria-selected')).toBe('true'));
    await screen.findByText('welcome to the project', { selector: '.chat-message-text, .chat-message-text *' });
    expect(screen.getByRole('heading', { name: 'Project' })).toBeTruthy();
    // Separators: the day, and "new messages" above what was unread when the channel opened.
    expect(screen.getAllByRole('separator').map((el) => el.getAttribute('aria-label'))).toEqual([expect.stringMatching(/\d{4}/), 'New messages']);
    // At the bottom of the list: the channel is marked read.
    await waitFor(() => expect(within(screen.getByRole('option', { name: /Project/ })).queryByLabelText(/unread/)).toBeNull());
    expect(document.querySelector('.chat-root')?.getAttribute('data-theme')).toBe('dark');
  });

  it('sends with Enter, completes a mention, and shows the others typing', async () => {
    const box = composer();
    type(box, 'first line');
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(box.value).toBe('first line');
    enter(box);
    expect(box.value).toBe('');
    await snapshotWhere(bobs.messages, (s) => s.messages.some((m) => m.text === 'first line' && m.userId === 'ann'));

    type(box, 'thanks @bo');
    const suggestion = await screen.findByRole('option', { name: /bob/ });
    expect(suggestion.getAttribute('aria-selected')).toBe('true');
    expect(box.getAttribute('aria-expanded')).toBe('true');
    enter(box);
    expect(box.value).toBe('thanks @bob ');
    enter(box);
    const sent = await snapshotWhere(bobs.messages, (s) => s.messages.some((m) => m.text === 'thanks @bob'));
    expect(sent.messages.find((m) => m.text === 'thanks @bob')?.mentionedUsers).toEqual(['bob']);
    expect(article('thanks @bob').querySelector('.chat-mention')?.getAttribute('data-user-id')).toBe('bob');
    // Consecutive messages of one author: one header, the next grouped under it.
    await waitFor(() => expect(article('thanks @bob').dataset.status).toBe('sent'));
    expect(article('first line').dataset.grouped).toBeUndefined();
    expect(article('thanks @bob').dataset.grouped).toBe('true');
    // The "new messages" line stays where it was after the channel was read.
    expect(screen.getByRole('separator', { name: 'New messages' })).toBeTruthy();

    // Emoji from the picker go in at the caret.
    type(box, 'party ');
    fireEvent.click(screen.getByRole('button', { name: 'Insert emoji' }));
    fireEvent.click(within(screen.getByRole('toolbar', { name: 'Insert emoji' })).getByRole('button', { name: '🎉' }));
    expect(box.value).toBe('party 🎉');
    expect(screen.queryByRole('toolbar', { name: 'Insert emoji' })).toBeNull();

    // Typing: ann's keystrokes reach bob; bob's show on ann's screen.
    type(box, 'hm');
    await snapshotWhere(bobs.typing, (users) => users.some((u) => u.userId === 'ann'));
    bobs.keystroke();
    await waitFor(() => expect(screen.getByRole('status', { name: '' }).textContent).toMatch(/bob is typing/));
    type(box, '');
  });

  it('reacts, edits the last message with the up arrow, and replies in a thread', async () => {
    const welcome = article('welcome to the project');
    fireEvent.click(within(welcome).getByRole('button', { name: 'Add reaction' }));
    fireEvent.click(within(welcome).getByRole('button', { name: 'Like' }));
    await snapshotWhere(bobs.messages, (s) => s.messages.find((m) => m.text === 'welcome to the project')?.reactionCounts.like === 1);
    const like = await within(article('welcome to the project')).findByRole('button', { name: 'Like: 1' });
    expect(like.getAttribute('aria-pressed')).toBe('true');

    const box = composer();
    fireEvent.keyDown(box, { key: 'ArrowUp' });
    const editor = await screen.findByRole('combobox', { name: 'Edit message' });
    expect((editor as HTMLTextAreaElement).value).toBe('thanks @bob');
    type(editor as HTMLTextAreaElement, 'thanks @bob, really');
    enter(editor);
    await snapshotWhere(bobs.messages, (s) => s.messages.some((m) => m.text === 'thanks @bob, really' && m.editedAt !== null));
    await waitFor(() => expect(article('thanks @bob, really').textContent).toContain('(edited)'));

    fireEvent.click(within(article('welcome to the project')).getByRole('button', { name: 'Reply in thread' }));
    const thread = await screen.findByRole('complementary', { name: 'Thread' });
    const reply = within(thread).getByRole('combobox', { name: 'Reply in thread' }) as HTMLTextAreaElement;
    type(reply, 'a reply');
    enter(reply);
    const parentId = bobs.messages.getSnapshot().messages.find((m) => m.text === 'welcome to the project')?.id as string;
    await snapshotWhere(bobs.messages, (s) => s.messages.find((m) => m.id === parentId)?.replyCount === 1);
    await within(thread).findByText('a reply', { selector: '.chat-message-text, .chat-message-text *' });
    await screen.findByRole('button', { name: '1 reply' });
    fireEvent.click(within(thread).getByRole('button', { name: 'Close thread' }));
    expect(screen.queryByRole('complementary', { name: 'Thread' })).toBeNull();
  });

  it('shows read receipts, members and pinned messages', async () => {
    const mine = bobs.messages.getSnapshot().messages.filter((m) => m.userId === 'ann' && m.parentId === null).at(-1);
    await act(() => bobs.markRead(mine?.id));
    await screen.findByRole('img', { name: 'Seen by bob' });

    fireEvent.click(screen.getByRole('button', { name: 'Members' }));
    const members = await screen.findByRole('region', { name: 'Members' });
    await within(members).findByText('bob');
    expect(within(members).getByText('ann')).toBeTruthy();

    const welcome = bobs.messages.getSnapshot().messages.find((m) => m.text === 'welcome to the project');
    await bobs.pin(welcome?.id as string);
    fireEvent.click(screen.getByRole('button', { name: 'Pinned' }));
    const pinned = await screen.findByRole('region', { name: 'Pinned messages' });
    await within(pinned).findByText('welcome to the project');
  });
});
