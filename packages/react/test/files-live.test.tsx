// @vitest-environment jsdom
import './rtl.js';
import type { ChatChannel, ChatClient } from '@chatsdk/core';
import { cleanup, fireEvent, render, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Channel, ChatProvider, Message, MessageInput, MessageList, type MessageProps } from '../src/index.js';
import { startUploadServer } from '../../server/test/helpers/uploads.js';
import { type Harness, snapshotWhere, startHarness } from '../../core/test/helpers.js';
import { fakeLayout } from './layout.js';

/**
 * vitest's jsdom environment puts jsdom's Uint8Array on the global, so Node's Buffers are not
 * `instanceof Uint8Array` in this worker, and the server running in it (file-type's sniffing) refuses
 * them. Node's own is put back while the server runs: a browser's page and our server never share a realm.
 */
const NodeUint8Array = (Object.getPrototypeOf(Buffer.prototype) as { constructor: Uint8ArrayConstructor }).constructor;

describe('files in the composer and the list, against a real server (jsdom: XMLHttpRequest uploads)', () => {
  const jsdomUint8Array = globalThis.Uint8Array;
  let h: Harness;
  let ann: ChatClient;
  let bob: ChatClient;
  let bobs: ChatChannel;
  let restore: () => void;
  beforeAll(async () => {
    globalThis.Uint8Array = NodeUint8Array;
    restore = fakeLayout({ viewport: 2000, row: 40 });
    h = await startHarness(undefined, await startUploadServer('sqlite', 'local'));
    await h.tokens('ann');
    bob = await h.client('bob');
    await bob.connect();
    await bob.channels.create({ type: 'messaging', id: 'photos', members: ['ann', 'bob'] });
    bobs = bob.channel('photos');
    await bobs.watch();
    for (const text of ['one', 'two', 'three']) await bobs.sendMessage(text);
    ann = await h.client('ann');
  });
  afterAll(async () => {
    cleanup();
    restore();
    await h.close();
    globalThis.Uint8Array = jsdomUint8Array;
  });

  it('sends a picked image with its text: only its own row renders while it uploads, and the other user sees the thumbnail', async () => {
    const renders = new Map<string, number>();
    function Counting(props: MessageProps): ReactNode {
      renders.set(props.message.text, (renders.get(props.message.text) ?? 0) + 1);
      return <Message {...props} />;
    }
    const view = render(
      <ChatProvider client={ann}>
        <Channel id="photos">
          <MessageList Message={Counting} estimateSize={40} />
          <MessageInput />
        </Channel>
      </ChatProvider>,
    );
    const screen = within(view.container);
    await screen.findByText('three');
    renders.clear();

    const bytes = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#22aa66' } }).png().toBuffer();
    const photo = new File([new Uint8Array(bytes)], 'meadow.png', { type: 'image/png' });
    fireEvent.change(view.container.querySelector('input[type="file"]') as HTMLInputElement, { target: { files: [photo] } });
    await screen.findByRole('list', { name: 'Files to send' });
    const composer = screen.getByRole('combobox', { name: 'Write a message' });
    fireEvent.change(composer, { target: { value: 'a meadow', selectionStart: 8 } });
    fireEvent.keyDown(composer, { key: 'Enter' });
    // At once: the message, with its file being sent.
    await screen.findByRole('list', { name: 'Files being sent' });
    // Then sent: the thumbnail from the server, which opens the lightbox.
    const thumbnail = await screen.findByRole('button', { name: 'Open image meadow.png' }, { timeout: 10_000 });
    expect(within(thumbnail).getByRole('img').getAttribute('src')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+\/thumbnail\?exp=\d+&sig=/);
    expect(screen.queryByRole('list', { name: 'Files being sent' })).toBeNull();
    // The rows of the other messages did not render while the file went up.
    expect([...renders.keys()]).toEqual(['a meadow']);

    const seen = await snapshotWhere(bobs.messages, (state) => state.messages.some((message) => message.text === 'a meadow' && message.status === 'sent'));
    const attachment = seen.messages.find((message) => message.text === 'a meadow')?.attachments[0];
    expect(attachment).toMatchObject({ type: 'image', name: 'meadow.png', width: 300, height: 200 });
    fireEvent.click(thumbnail);
    const dialog = await screen.findByRole('dialog', { name: 'meadow.png' });
    expect(within(dialog).getByRole('img').getAttribute('src')).toBe(attachment?.url);
    view.unmount();
  });
});
