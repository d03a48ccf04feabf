// @vitest-environment jsdom
import './rtl.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ChatChannel, ChatClient, LocalMessage } from '@chatsdk/core';
import type { Attachment } from '@chatsdk/protocol';
import { render, screen, waitFor } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attachments, Channel, ChatProvider, MessageList, MessageText, safeHref, tokenize } from '../src/index.js';
import { type Harness, startHarness, snapshotWhere } from '../../core/test/helpers.js';
import { fakeLayout } from './layout.js';

// Under jsdom, import.meta.url is not a file URL: the tests run from the repository's root.
const src = resolve(process.cwd(), 'packages/react/src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('message text is parsed into tokens, never HTML', () => {
  it('splits links, mentions, code, code blocks and line breaks', () => {
    expect(tokenize('hi @bob, see https://example.com/a_(b). ok\n`x < y` and\n```\nif (a) {}\n```', ['bob'])).toEqual([
      { type: 'text', text: 'hi ' },
      { type: 'mention', userId: 'bob', text: '@bob' },
      { type: 'text', text: ', see ' },
      { type: 'link', href: 'https://example.com/a_(b)', text: 'https://example.com/a_(b)' },
      { type: 'text', text: '. ok' },
      { type: 'break' },
      { type: 'code', text: 'x < y' },
      { type: 'text', text: ' and' },
      { type: 'break' },
      { type: 'codeBlock', text: 'if (a) {}' },
    ]);
    // An @word that the message does not mention is text.
    expect(tokenize('mail @carol', ['bob'])).toEqual([{ type: 'text', text: 'mail @carol' }]);
  });

  it('allows http, https and mailto links only', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/');
    expect(safeHref('mailto:a@example.com')).toBe('mailto:a@example.com');
    for (const bad of ['javascript:alert(1)', 'JavaScript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', '//evil.example', '/relative']) {
      expect(safeHref(bad)).toBeUndefined();
    }
  });

  it('shows javascript: and data: links and HTML as plain text', () => {
    const text = '[click](javascript:alert(1)) javascript:alert(2) [img](data:text/html;base64,PHNjcmlwdD4=) <img src=x onerror=alert(3)> <b>bold</b> [ok](https://example.com/ok)';
    const { container } = render(<MessageText text={text} />);
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/ok']);
    expect(links[0]?.getAttribute('rel')).toContain('noopener');
    expect(container.querySelector('img, b, script')).toBeNull();
    expect(container.textContent).toContain('[click](javascript:alert(1))');
    expect(container.textContent).toContain('javascript:alert(2)');
    expect(container.textContent).toContain('<img src=x onerror=alert(3)>');
    expect(container.textContent).toContain('<b>bold</b>');
  });

  it('renders code and line breaks as elements', () => {
    const { container } = render(<MessageText text={'one\ntwo `<b>x</b>`\n```\n<script>alert(1)</script>\n```'} />);
    expect(container.querySelectorAll('br')).toHaveLength(2);
    expect(container.querySelector('code.chat-code')?.textContent).toBe('<b>x</b>');
    expect(container.querySelector('pre.chat-code-block')?.textContent).toBe('<script>alert(1)</script>');
    expect(container.querySelector('script, b')).toBeNull();
  });

  it('loads and links attachments from http(s) URLs only, link previews included', () => {
    const attachments: Attachment[] = [
      { type: 'image', url: 'https://cdn.example.com/cat.png', name: 'cat' },
      { type: 'file', url: 'javascript:alert(1)', name: 'evil.pdf' },
      { type: 'image', url: 'data:image/svg+xml,<svg onload=alert(1)>', name: 'svg' },
      { type: 'video', url: 'javascript:alert(2)', name: 'clip.mp4' },
      { type: 'image', url: 'https://cdn.example.com/full.png', thumbUrl: 'data:image/png;base64,AAAA', name: 'thumbless' },
      { type: 'file', url: 'https://cdn.example.com/report.pdf', name: 'report.pdf', size: 2048 },
      { type: 'link', url: 'javascript:alert(3)', title: '<b>Trap</b>', image: 'data:image/png;base64,AAAA' },
      { type: 'link', url: 'https://example.com/post', title: 'A post', description: 'About <script>', image: 'https://example.com/og.png', siteName: 'Example' },
    ];
    const { container } = render(<Attachments attachments={attachments} />);
    const srcs = [...container.querySelectorAll('img, video, audio')].map((el) => el.getAttribute('src'));
    expect(srcs).toEqual(['https://cdn.example.com/cat.png', 'https://cdn.example.com/full.png', 'https://example.com/og.png']);
    const hrefs = [...container.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual(['https://cdn.example.com/cat.png', 'https://cdn.example.com/full.png', 'https://cdn.example.com/report.pdf', 'https://cdn.example.com/report.pdf', 'https://example.com/post']);
    for (const text of ['evil.pdf', 'svg', 'clip.mp4', '<b>Trap</b>', 'About <script>', 'Example', '2.0 KB']) expect(container.textContent).toContain(text);
    expect(container.querySelector('b, script')).toBeNull();
  });

  it('no source file of the package uses dangerouslySetInnerHTML or innerHTML', () => {
    const offenders = files(src).filter((path) => /dangerouslySetInnerHTML|\.innerHTML\b|outerHTML|insertAdjacentHTML/.test(readFileSync(path, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('a message from the server, rendered', () => {
  let h: Harness;
  let ann: ChatClient;
  let channel: ChatChannel;
  let restore: () => void;
  beforeAll(async () => {
    restore = fakeLayout();
    h = await startHarness();
    await h.tokens('bob');
    ann = await h.client('ann');
    const bob = await h.client('bob');
    channel = await bob.channels.create({ type: 'messaging', id: 'xss', members: ['ann', 'bob'] });
    await bob.channel('xss').sendMessage({ text: 'hey @ann <script>alert(1)</script> [x](javascript:alert(1)) https://example.com', mentionedUsers: ['ann'] });
  });
  afterAll(async () => {
    restore();
    await h.close();
  });

  it('shows the text safely, with the mention as a mention', async () => {
    const view = render(
      <ChatProvider client={ann}>
        <Channel id={channel.id}>
          <MessageList />
        </Channel>
      </ChatProvider>,
    );
    const watched = ann.channel(channel.id);
    const state = await snapshotWhere(watched.messages, (s) => s.ready && s.messages.length === 1);
    const message = state.messages[0] as LocalMessage;
    const article = await waitFor(() => screen.getByRole('article'));
    expect(article.querySelector('.chat-message-text')?.textContent).toBe(`hey @ann <script>alert(1)</script> [x](javascript:alert(1)) https://example.com`);
    expect(article.querySelector('script')).toBeNull();
    expect([...article.querySelectorAll('.chat-message-text a')].map((a) => a.getAttribute('href'))).toEqual(['https://example.com/']);
    expect(article.querySelector('.chat-mention')?.getAttribute('data-user-id')).toBe('ann');
    expect(message.mentionedUsers).toEqual(['ann']);
    view.unmount();
  });
});
