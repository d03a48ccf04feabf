import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { DESKTOP, PHONE } from './files-scenario.js';
import type { DemoStack } from './stack.js';

const channel = (page: Page, name: string) => page.getByRole('listbox', { name: 'Channels' }).getByRole('option', { name: new RegExp(name) });
const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
const message = (page: Page, text: string) => messages(page).getByRole('article').filter({ hasText: text });
const composer = (page: Page) => page.getByPlaceholder('Message', { exact: true });
const notice = (page: Page) => page.locator('.chat-composer-notice');

/**
 * Moderation in the demo: Carol (the demo's moderator) sets slow mode and
 * freezes #random from its header, and Bob's composer counts down, then
 * locks; Bob posts spam, Alice reports two of his messages,
 * Carol (the demo's moderator) sees them in her review queue live, deletes
 * one and bans Bob for an hour with the other; Bob's composer says he is
 * banned and until when. Screenshots go to `output`; the ban is lifted at the end.
 */
export async function moderationScenario(alice: Page, bob: Page, carol: Page, stack: DemoStack, output: string): Promise<void> {
  // Carol, the app's moderator, sets slow mode in #random from the channel header (Bob is a plain member there;
  // Alice owns the demo's channels, being the first to sign in). After his own send Bob's composer counts down,
  // and keeps what he writes meanwhile.
  await channel(carol, 'random').click();
  const tools = carol.getByRole('group', { name: 'Moderate this channel' });
  await tools.getByLabel('Slow mode').selectOption('30');
  await channel(bob, 'random').click();
  await messages(bob).waitFor();
  await composer(bob).fill('Slow mode is on, one message every 30 s');
  await composer(bob).press('Enter');
  await notice(bob).filter({ hasText: /^Slow mode: you can send again in (2\d|30)s\.$/ }).waitFor();
  await composer(bob).fill('a second thought, waiting');
  await composer(bob).press('Enter');
  expect(await composer(bob).inputValue()).toBe('a second thought, waiting');
  expect(await bob.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
  await bob.screenshot({ path: join(output, 'moderation-bob-slow-mode.png') });

  // Frozen: the notice replaces the countdown, the composer is locked with the draft kept; Carol still sends.
  await tools.getByRole('button', { name: 'Freeze' }).click();
  await tools.getByRole('button', { name: 'Unfreeze', pressed: true }).waitFor();
  await notice(bob).filter({ hasText: 'This channel is frozen: only moderators can send messages.' }).waitFor();
  expect(await composer(bob).isDisabled()).toBe(true);
  expect(await composer(bob).inputValue()).toBe('a second thought, waiting');
  await composer(carol).fill('Frozen for a moment, sorry');
  await composer(carol).press('Enter');
  await message(bob, 'Frozen for a moment, sorry').waitFor();
  await bob.screenshot({ path: join(output, 'moderation-bob-frozen.png') });
  await carol.screenshot({ path: join(output, 'moderation-carol-tools.png') });
  // On a phone the header keeps the tools on the screen.
  await carol.setViewportSize(PHONE);
  const select = await tools.getByLabel('Slow mode').boundingBox();
  expect(select && select.x + select.width).toBeLessThanOrEqual(PHONE.width);
  await carol.screenshot({ path: join(output, 'moderation-carol-tools-phone.png') });
  await carol.setViewportSize(DESKTOP);
  await tools.getByRole('button', { name: 'Unfreeze' }).click();
  await tools.getByLabel('Slow mode').selectOption('0');
  await notice(bob).waitFor({ state: 'detached' });
  await composer(bob).fill('');

  // Bob posts spam in #general; Alice reports two messages (one with a reason).
  await channel(bob, 'general').click();
  await channel(alice, 'general').click();
  const stamp = Date.now();
  const first = `Cheap watches at watches.example (${stamp})`;
  const second = `Last chance, cheap watches again (${stamp})`;
  for (const text of [first, second]) {
    await composer(bob).fill(text);
    await composer(bob).press('Enter');
    await message(alice, text).waitFor();
  }
  for (const [text, reason] of [[first, 'Spam'], [second, null]] as const) {
    await message(alice, text).hover();
    await message(alice, text).getByRole('button', { name: 'Report' }).click();
    const form = message(alice, text).getByRole('dialog', { name: 'Report message' });
    if (reason) await form.getByLabel('Reason').selectOption(reason);
    await form.getByRole('button', { name: 'Report' }).click();
    await message(alice, text).getByText('Reported to the moderators.').waitFor();
  }
  await message(alice, second).hover();
  expect(await message(alice, second).getByRole('button', { name: 'Reported' }).isDisabled()).toBe(true);
  expect(await composer(alice).inputValue()).toBe('');
  expect(await alice.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
  await alice.screenshot({ path: join(output, 'moderation-alice-reported.png') });

  // Carol opens her review queue: both reports, live, with the author, the count and the reason.
  await carol.getByRole('button', { name: /^Review queue/ }).click();
  const queue = carol.getByRole('region', { name: 'Moderation queue' });
  const reports = queue.getByRole('listitem', { name: 'Report about Bob Okafor' });
  await reports.filter({ hasText: first }).waitFor();
  await reports.filter({ hasText: second }).waitFor();
  expect(await reports.filter({ hasText: first }).getByRole('list', { name: 'Reasons' }).innerText()).toBe('Spam');
  await reports.filter({ hasText: first }).getByText('1 report').waitFor();
  await carol.getByRole('button', { name: 'Review queue, 2 waiting' }).waitFor();
  await carol.screenshot({ path: join(output, 'moderation-carol-queue.png') });
  // On a phone the queue covers the screen, its buttons within it.
  await carol.setViewportSize(PHONE);
  const ban = reports.filter({ hasText: second }).getByRole('button', { name: 'Shadow-ban Bob Okafor for 60 minutes' });
  const box = await ban.boundingBox();
  expect(box && box.x + box.width).toBeLessThanOrEqual(PHONE.width);
  await carol.screenshot({ path: join(output, 'moderation-carol-queue-phone.png') });
  await carol.setViewportSize(DESKTOP);
  // And in the dark theme.
  await carol.getByRole('button', { name: 'Dark theme' }).click();
  await carol.locator('.app-root[data-theme="dark"]').waitFor();
  await carol.screenshot({ path: join(output, 'moderation-carol-queue-dark.png') });
  await carol.getByRole('button', { name: 'Light theme' }).click();

  // She deletes the first message (Alice sees it go) and bans Bob for an hour on the second.
  await reports.filter({ hasText: first }).getByRole('button', { name: "Delete Bob Okafor's message" }).click();
  await reports.filter({ hasText: first }).waitFor({ state: 'detached' });
  await messages(alice).getByText('This message was deleted.').waitFor();
  await reports.filter({ hasText: second }).getByRole('button', { name: 'Ban Bob Okafor for 60 minutes', exact: true }).click();
  await queue.getByText('Nothing to review.').waitFor();
  await carol.screenshot({ path: join(output, 'moderation-carol-reviewed.png') });

  // Bob's composer: banned from the app, until an hour from now; his draft stays.
  await notice(bob).filter({ hasText: /^You are banned from this app until .+: you cannot send messages\.$/ }).waitFor();
  const until = Date.parse((await notice(bob).locator('time').getAttribute('datetime')) ?? '');
  expect(until - Date.now()).toBeGreaterThan(55 * 60_000);
  expect(until - Date.now()).toBeLessThanOrEqual(60 * 60_000);
  expect(await composer(bob).isDisabled()).toBe(true);
  // The notice took room from the list, which still ends at the newest message.
  await message(bob, second).waitFor();
  const list = await messages(bob).boundingBox();
  const last = await message(bob, second).boundingBox();
  expect(last && list && last.y + last.height).toBeLessThanOrEqual((list?.y ?? 0) + (list?.height ?? 0) + 1);
  await bob.screenshot({ path: join(output, 'moderation-bob-banned.png') });

  // The ban and the deletion are in the audit log; the ban is lifted so that the stack is as it was.
  const audit = await fetch(`${stack.chatUrl}/api/moderation/audit?limit=50`, { headers: { 'X-API-Key': stack.apiKey() } });
  const actions = ((await audit.json()) as { entries: { action: string }[] }).entries.map((entry) => entry.action);
  expect(actions).toEqual(expect.arrayContaining(['ban', 'review', 'channel.freeze', 'channel.slow_mode']));
  const lifted = await fetch(`${stack.chatUrl}/api/moderation/bans/bob`, { method: 'DELETE', headers: { 'X-API-Key': stack.apiKey() } });
  expect(lifted.status).toBe(200);
}
