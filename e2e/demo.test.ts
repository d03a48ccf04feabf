import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { DESKTOP, filesScenario } from './files-scenario.js';
import { moderationScenario } from './moderation-scenario.js';
import { type PageServer, startPageServer } from './page-server.js';
import { startDemoStack, type DemoStack } from './stack.js';

/** Screenshots land here (ignored by git). */
const OUTPUT = fileURLToPath(new URL('./output/', import.meta.url));

/**
 * The product guide from login to realtime, as a new user meets it after
 * `npm start`: two people in two browser windows, in real Chromium.
 */
describe('the demo, end to end in Chromium', () => {
  let stack: DemoStack;
  let browser: Browser;
  let pages: PageServer;
  const problems: string[] = [];

  beforeAll(async () => {
    // A local page for link previews, which ChatSDK may fetch only because the allowlist names it.
    pages = await startPageServer();
    // Started together: the browser's launch overlaps the builds. Whichever started is closed if the other failed.
    const [started, launched] = await Promise.allSettled([startDemoStack({ env: { CHATSDK_OUTBOUND_ALLOW_HOSTS: pages.host } }), launchChromium()]);
    if (started.status === 'fulfilled') stack = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (launched.status === 'rejected') throw launched.reason;
    if (started.status === 'rejected') throw started.reason;
  }, 90_000); // about 10 s alone; the builds take longer while the rest of the suite runs beside them

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await pages?.close();
  });

  async function signIn(name: 'alice' | 'bob' | 'carol'): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
    await page.goto(stack.url);
    await page.getByLabel('User name').fill(name);
    await page.getByLabel('Password').fill(`${name}-demo`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('listbox', { name: 'Channels' }).getByRole('option', { name: /general/ }).waitFor();
    return page;
  }

  const channel = (page: Page, name: string) => page.getByRole('listbox', { name: 'Channels' }).getByRole('option', { name: new RegExp(name) });
  const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
  const message = (page: Page, text: string) => messages(page).getByRole('article').filter({ hasText: text });

  it('two users chat live: unread badge, thread reply, reaction, typing, renewed tokens, history after a reload', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    try {
      await scenario(alice, bob);
    } catch (error) {
      // What each window showed when it failed, beside the error.
      mkdirSync(OUTPUT, { recursive: true });
      await alice.screenshot({ path: join(OUTPUT, 'failed-alice.png') }).catch(() => undefined);
      await bob.screenshot({ path: join(OUTPUT, 'failed-bob.png') }).catch(() => undefined);
      throw new Error(`${String(error)}\nscreenshots in ${OUTPUT}; page errors: ${JSON.stringify(problems)}`, { cause: error });
    }
  }, 60_000);

  it('the rest of the demo: a new DM, pins, members, a new channel, the dark theme, sign-out', async () => {
    const carol = await signIn('carol');
    const alice = await signIn('alice');
    try {
      await restOfTheDemo(carol, alice);
    } catch (error) {
      mkdirSync(OUTPUT, { recursive: true });
      await carol.screenshot({ path: join(OUTPUT, 'failed-carol.png') }).catch(() => undefined);
      await alice.screenshot({ path: join(OUTPUT, 'failed-alice-2.png') }).catch(() => undefined);
      throw new Error(`${String(error)}\nscreenshots in ${OUTPUT}; page errors: ${JSON.stringify(problems)}`, { cause: error });
    }
  }, 40_000);

  it('files: alice sends an image and a file, bob sees them live and opens the lightbox; a link preview card', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    mkdirSync(OUTPUT, { recursive: true });
    try {
      await filesScenario(alice, bob, pages, OUTPUT);
      expect(problems).toEqual([]);
    } catch (error) {
      await alice.screenshot({ path: join(OUTPUT, 'failed-files-alice.png') }).catch(() => undefined);
      await bob.screenshot({ path: join(OUTPUT, 'failed-files-bob.png') }).catch(() => undefined);
      throw new Error(`${String(error)}\nscreenshots in ${OUTPUT}; page errors: ${JSON.stringify(problems)}`, { cause: error });
    }
  }, 60_000);

  // Last: it bans Bob for a while (and lifts the ban at its end, should a test follow).
  it('moderation: slow mode and a freeze in the composer; a report reaches the moderator, who deletes and bans; the banned composer', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    const carol = await signIn('carol');
    mkdirSync(OUTPUT, { recursive: true });
    try {
      await moderationScenario(alice, bob, carol, stack, OUTPUT);
      expect(problems).toEqual([]);
    } catch (error) {
      await alice.screenshot({ path: join(OUTPUT, 'failed-moderation-alice.png') }).catch(() => undefined);
      await bob.screenshot({ path: join(OUTPUT, 'failed-moderation-bob.png') }).catch(() => undefined);
      await carol.screenshot({ path: join(OUTPUT, 'failed-moderation-carol.png') }).catch(() => undefined);
      throw new Error(`${String(error)}\nscreenshots in ${OUTPUT}; page errors: ${JSON.stringify(problems)}`, { cause: error });
    }
  }, 60_000);

  async function restOfTheDemo(carol: Page, alice: Page): Promise<void> {
    // A direct message to Alice, from the dialog listing the people who signed in.
    await carol.getByRole('button', { name: 'New direct message' }).click();
    const dm = carol.getByRole('dialog', { name: 'New direct message' });
    await dm.getByLabel('Alice Martin').check();
    await dm.getByRole('button', { name: 'Open' }).click();
    const carolsDm = carol.getByRole('listbox', { name: 'Direct messages' }).getByRole('option', { name: /Alice Martin/ });
    await carolsDm.waitFor();
    expect(await carolsDm.getAttribute('aria-selected')).toBe('true');
    const text = 'Carol here: a private word';
    await carol.getByPlaceholder('Message', { exact: true }).fill(text);
    await carol.getByPlaceholder('Message', { exact: true }).press('Enter');
    await alice.getByRole('listbox', { name: 'Direct messages' }).getByRole('option', { name: /Carol Nguyen/ }).getByLabel('1 unread').waitFor();

    // Pinned and members panels.
    await message(carol, text).hover();
    await message(carol, text).getByRole('button', { name: 'Pin' }).click();
    await carol.getByRole('button', { name: 'Pinned' }).click();
    await carol.getByRole('region', { name: 'Pinned messages' }).getByText(text).waitFor();
    await carol.getByRole('button', { name: 'Members' }).click();
    const members = carol.getByRole('region', { name: 'Members' });
    await members.getByText('Alice Martin').waitFor();
    await members.getByText('Carol Nguyen').waitFor();

    // A new team channel with Alice, which shows up in her list.
    await carol.getByRole('button', { name: 'New channel' }).click();
    const create = carol.getByRole('dialog', { name: 'New channel' });
    await create.getByLabel('Name').fill('design-review');
    await create.getByLabel('Alice Martin').check();
    await create.getByRole('button', { name: 'Create' }).click();
    await channel(carol, 'design-review').waitFor();
    await channel(alice, 'design-review').waitFor();

    // The dark theme, then sign-out back to the login screen.
    await carol.getByRole('button', { name: 'Dark theme' }).click();
    await carol.locator('.app-root[data-theme="dark"]').waitFor();
    mkdirSync(OUTPUT, { recursive: true });
    await carol.screenshot({ path: join(OUTPUT, 'carol-dark.png') });
    await carol.getByRole('button', { name: 'Sign out' }).click();
    await carol.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(problems).toEqual([]);
  }

  async function scenario(alice: Page, bob: Page): Promise<void> {

    // Bob looks at another channel; Alice writes in #general.
    await channel(bob, 'random').click();
    await channel(alice, 'general').click();
    await messages(alice).waitFor();
    const text = `Hello Bob, this is Alice (${Date.now()})`;
    await alice.getByPlaceholder('Message', { exact: true }).fill(text);
    const sentAt = Date.now();
    await alice.getByPlaceholder('Message', { exact: true }).press('Enter');

    // Bob sees it within 2 s, as an unread badge on #general, which clears when he opens it.
    const badge = channel(bob, 'general').getByLabel('1 unread');
    await badge.waitFor({ timeout: 2000 });
    expect(Date.now() - sentAt).toBeLessThan(2000);
    await channel(bob, 'general').click();
    await message(bob, text).waitFor();
    await badge.waitFor({ state: 'detached' });

    // Bob replies in a thread and reacts.
    const reply = 'Got it, replying in the thread';
    await message(bob, text).hover();
    await message(bob, text).getByRole('button', { name: 'Reply in thread' }).click();
    const thread = bob.getByRole('complementary', { name: 'Thread' });
    await thread.getByPlaceholder('Reply in thread').fill(reply);
    await thread.getByPlaceholder('Reply in thread').press('Enter');
    await thread.getByRole('log', { name: 'Replies' }).getByText(reply).waitFor();
    await message(bob, text).hover();
    await message(bob, text).getByRole('button', { name: 'Add reaction' }).click();
    await bob.getByRole('toolbar', { name: 'Pick a reaction' }).getByRole('button', { name: 'Like' }).click();

    // Alice sees both without reloading.
    await message(alice, text).getByRole('button', { name: '1 reply' }).waitFor();
    await message(alice, text).getByRole('group', { name: 'Reactions' }).getByRole('button', { name: /Like: 1/ }).waitFor();

    // Bob types in #general; Alice sees it.
    await bob.getByPlaceholder('Message', { exact: true }).pressSequentially('Typing a second');
    await alice.getByRole('status').filter({ hasText: 'Bob Okafor is typing' }).waitFor();

    // Alice's tokens are revoked (a logout elsewhere, say): the client gets new ones through its tokenProvider,
    // from the backend, and carries on.
    let renewals = 0;
    alice.on('request', (request) => {
      if (request.url().endsWith('/api/auth/chat-token')) renewals += 1;
    });
    const revoked = await fetch(`${stack.chatUrl}/api/users/alice/revoke-tokens`, { method: 'POST', headers: { 'X-API-Key': stack.apiKey() } });
    expect(revoked.status).toBeLessThan(300);
    const after = 'Still here after my tokens were revoked';
    await alice.getByPlaceholder('Message', { exact: true }).fill(after);
    await alice.getByPlaceholder('Message', { exact: true }).press('Enter');
    await message(bob, after).waitFor();
    expect(renewals).toBeGreaterThan(0);

    // A reload keeps the history: the message, its reply count and its reaction, from the server.
    await alice.reload();
    await message(alice, text).waitFor();
    await message(alice, text).getByRole('button', { name: '1 reply' }).waitFor();
    await message(alice, text).getByRole('group', { name: 'Reactions' }).getByRole('button', { name: /Like: 1/ }).waitFor();

    mkdirSync(OUTPUT, { recursive: true });
    await alice.screenshot({ path: join(OUTPUT, 'alice.png') });
    await bob.screenshot({ path: join(OUTPUT, 'bob.png') });
    expect(problems).toEqual([]);
  }
});
