import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { PageServer } from './page-server.js';

/** The two viewports the screenshots are taken at: the suite's desktop window, and a phone. */
export const DESKTOP = { width: 1200, height: 760 };
export const PHONE = { width: 390, height: 844 };

/** A sunset, drawn as SVG and rendered to PNG: a photo-like image the server re-encodes and thumbnails. */
async function sunset(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2b1055"/><stop offset="0.55" stop-color="#d5589c"/><stop offset="1" stop-color="#ffb36b"/></linearGradient></defs>
    <rect width="1600" height="1000" fill="url(#sky)"/><circle cx="800" cy="640" r="170" fill="#ffd37a"/>
    <rect y="700" width="1600" height="300" fill="#1b2a49"/><path d="M0 760 Q400 700 800 760 T1600 760 V1000 H0Z" fill="#24365e"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
const message = (page: Page, text: string) => messages(page).getByRole('article').filter({ hasText: text });

/** Whether an <img> has loaded real pixels (not a broken link). */
const loaded = (image: Locator) => image.evaluate((node) => node instanceof HTMLImageElement && node.complete && node.naturalWidth > 0);

/**
 * Alice attaches an image and a file in #general; Bob sees the thumbnail and
 * the file card live, opens the lightbox (Esc, Tab, a click outside); Alice
 * links a local page and both see its preview card. Screenshots at both
 * viewports and in the dark theme go to `output`.
 */
export async function filesScenario(alice: Page, bob: Page, pages: PageServer, output: string): Promise<void> {
  await alice.getByRole('listbox', { name: 'Channels' }).getByRole('option', { name: /general/ }).click();
  await bob.getByRole('listbox', { name: 'Channels' }).getByRole('option', { name: /general/ }).click();
  await messages(alice).waitFor();

  // Alice picks an image and a file; they wait in the composer.
  const text = `Sunset from the office (${Date.now()})`;
  await alice.locator('.chat-message-input input[type="file"]').first().setInputFiles([
    { name: 'sunset.png', mimeType: 'image/png', buffer: await sunset() },
    { name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from('Minutes of the Monday meeting\n- ship the files feature\n') },
  ]);
  const staged = alice.getByRole('list', { name: 'Files to send' });
  await staged.getByText('sunset.png').waitFor();
  await staged.getByText('minutes.txt').waitFor();
  await alice.screenshot({ path: join(output, 'files-alice-composer.png') });

  // Sent on a slow uplink (Chromium's throttling), so the progress shows on the message while it uploads.
  const cdp = await alice.context().newCDPSession(alice);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 48 * 1024 });
  await alice.getByPlaceholder('Message', { exact: true }).fill(text);
  await alice.getByPlaceholder('Message', { exact: true }).press('Enter');
  const progress = message(alice, text).getByRole('progressbar', { name: 'Uploading sunset.png' });
  await expect.poll(async () => Number((await progress.getAttribute('aria-valuenow').catch(() => null)) ?? -1), { timeout: 10_000 }).toBeGreaterThan(0);
  await alice.screenshot({ path: join(output, 'files-alice-uploading.png') });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // Bob sees the message live: the thumbnail (loaded from its signed link) and the file card.
  const thumbnail = message(bob, text).getByRole('button', { name: 'Open image sunset.png' });
  await thumbnail.waitFor({ timeout: 15_000 });
  await expect.poll(() => loaded(thumbnail.getByRole('img'))).toBe(true);
  const card = message(bob, text).getByRole('group', { name: 'File minutes.txt' });
  expect(await card.getByRole('link', { name: 'Download minutes.txt' }).getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+\?exp=\d+&sig=/);
  await message(alice, text).getByRole('button', { name: 'Open image sunset.png' }).waitFor();
  expect(await message(alice, text).getByRole('list', { name: 'Files being sent' }).count()).toBe(0);

  // The lightbox: the full image, focus on Close, Tab kept inside, Esc closes and gives focus back.
  await thumbnail.click();
  const lightbox = bob.getByRole('dialog', { name: 'sunset.png' });
  await lightbox.waitFor();
  await expect.poll(() => loaded(lightbox.getByRole('img', { name: 'sunset.png' }))).toBe(true);
  expect(await lightbox.getByRole('button', { name: 'Close' }).evaluate((node) => node === document.activeElement)).toBe(true);
  for (let i = 0; i < 4; i++) {
    await bob.keyboard.press('Tab');
    expect(await lightbox.evaluate((node) => node.contains(document.activeElement))).toBe(true);
  }
  await bob.screenshot({ path: join(output, 'files-bob-lightbox-desktop.png') });
  await bob.keyboard.press('Escape');
  await lightbox.waitFor({ state: 'detached' });
  expect(await thumbnail.evaluate((node) => node === document.activeElement)).toBe(true);
  // A click outside the image closes it too.
  await thumbnail.click();
  await lightbox.waitFor();
  await bob.mouse.click(12, DESKTOP.height - 12);
  await lightbox.waitFor({ state: 'detached' });

  // A link to a local page: the server fetches it (allowlisted) and both see the preview card.
  const linkText = `Have you read this? ${pages.articleUrl}`;
  await alice.getByPlaceholder('Message', { exact: true }).fill(linkText);
  await alice.getByPlaceholder('Message', { exact: true }).press('Enter');
  for (const page of [bob, alice]) {
    const preview = message(page, linkText).getByRole('group', { name: `Link preview: ${pages.article.title}` });
    await preview.waitFor({ timeout: 15_000 });
    expect(await preview.textContent()).toContain(pages.article.siteName);
    expect(await preview.textContent()).toContain(pages.article.description);
    expect(await preview.getByRole('link', { name: pages.article.title }).getAttribute('href')).toBe(pages.articleUrl);
    await expect.poll(() => loaded(preview.locator('img'))).toBe(true);
  }
  await bob.screenshot({ path: join(output, 'files-bob-desktop.png') });

  // The phone: one pane at a time (the channel, with a way back to the lists), the same messages, and the lightbox fitting the screen.
  await bob.setViewportSize(PHONE);
  await bob.getByRole('button', { name: 'Back to channels' }).click();
  await bob.getByRole('listbox', { name: 'Channels' }).getByRole('option', { name: /general/ }).click();
  expect(await bob.getByRole('listbox', { name: 'Channels' }).isVisible()).toBe(false);
  await message(bob, linkText).scrollIntoViewIfNeeded();
  const previewBox = await message(bob, linkText).getByRole('group', { name: /^Link preview/ }).boundingBox();
  expect(previewBox && previewBox.x + previewBox.width <= PHONE.width).toBe(true);
  await bob.screenshot({ path: join(output, 'files-bob-phone.png') });
  await thumbnail.scrollIntoViewIfNeeded();
  await thumbnail.click();
  await lightbox.waitFor();
  const box = await lightbox.getByRole('img', { name: 'sunset.png' }).boundingBox();
  expect(box && box.width <= PHONE.width && box.height <= PHONE.height).toBe(true);
  await bob.screenshot({ path: join(output, 'files-bob-lightbox-phone.png') });
  await bob.keyboard.press('Escape');
  await lightbox.waitFor({ state: 'detached' });

  // The dark theme, at the desktop size.
  await bob.setViewportSize(DESKTOP);
  await bob.getByRole('button', { name: 'Dark theme' }).click();
  await bob.locator('.app-root[data-theme="dark"]').waitFor();
  await message(bob, linkText).scrollIntoViewIfNeeded();
  await bob.screenshot({ path: join(output, 'files-bob-dark.png') });
  await bob.getByRole('button', { name: 'Light theme' }).click();
}
