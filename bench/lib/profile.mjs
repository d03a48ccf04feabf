import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The heaviest frames of a `node --cpu-prof` profile by self time, and the
 * same time grouped by where the code lives (a package, node's internals, the
 * server's own files): what issue 7 asks to show beside a missed target.
 * @param {string} dir  the --cpu-prof-dir
 * @param {number} top
 */
export function summariseProfile(dir, top = 25) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return undefined;
  /** @type {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number } }[], samples: number[], timeDeltas: number[] }} */
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<string, number>} */
  const frames = new Map();
  /** @type {Map<string, number>} */
  const places = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = shortUrl(url);
    const frame = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    frames.set(frame, (frames.get(frame) ?? 0) + us);
    const place = placeOf(url, functionName);
    places.set(place, (places.get(place) ?? 0) + us);
  });
  const rank = (/** @type {Map<string, number>} */ m, /** @type {number} */ n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Number(((100 * us) / total).toFixed(1)) }));
  return { file: join(dir, file), totalMs: Math.round(total / 1000), frames: rank(frames, top), places: rank(places, 15) };
}

/** @param {string} url */
function shortUrl(url) {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const pk = url.indexOf('/packages/');
  if (pk >= 0) return url.slice(pk + 1);
  return url.replace(/^file:\/\//, '');
}

/**
 * @param {string} url
 * @param {string} functionName
 */
function placeOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) return nm[1];
  const pk = /packages\/([^/]+)\/(?:dist|src)\/(?:([^/]+)\/)?/.exec(url);
  if (pk) return `@chatsdk/${pk[1]}${pk[2] && !pk[2].endsWith('.js') ? `/${pk[2]}` : ''}`;
  return shortUrl(url);
}
