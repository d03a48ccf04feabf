import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine } from './machine.mjs';

const BENCH = new URL('../', import.meta.url).pathname;
const RESULTS_DIR = join(BENCH, 'results');
const RESULTS_MD = join(BENCH, 'RESULTS.md');
/** RESULTS.md carries its rows as JSON in a comment, so each run replaces only its own rows. */
const DATA = /<!-- bench-data\n([\s\S]*?)\n-->/;
/** The last `npm run bench -- all`, for the header. */
const ALL_RUN = /<!-- bench-all\n([\s\S]*?)\n-->/;
const NOTES = /^## Notes\n[\s\S]*?(?=\n<!-- bench-data|$(?![\s\S]))/m;

/**
 * bench/results/<scenario>-<store>-<timestamp>.<ext>
 * @param {{ scenario: string, store: string, startedAt: string }} run
 * @param {string} ext
 */
function resultFile(run, ext) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return join(RESULTS_DIR, `${run.scenario}-${run.store}-${run.startedAt.replace(/[:.]/g, '-')}.${ext}`);
}

/**
 * The commit the server was built from, and whether packages/ had
 * uncommitted changes then: several people edit the server while benchmarks
 * run, and a figure is only as good as knowing which code made it.
 */
export function sourceRevision() {
  const git = (/** @type {string[]} */ args) => execFileSync('git', args, { cwd: BENCH, encoding: 'utf8' }).trim();
  try {
    return { commit: git(['rev-parse', 'HEAD']), packagesDirty: git(['status', '--porcelain', '--', '../packages']) !== '' };
  } catch {
    return undefined;
  }
}

/**
 * Writes a run's full result as JSON; returns the file.
 * @param {{ scenario: string, store: string, startedAt: string }} result
 */
export function writeResult(result) {
  const file = resultFile(result, 'json');
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/**
 * Copies a server CPU profile next to the JSON result (the data dir is removed after the run).
 * @param {string} profile
 * @param {{ scenario: string, store: string, startedAt: string }} run
 */
export function keepProfile(profile, run) {
  const file = resultFile(run, 'cpuprofile');
  copyFileSync(profile, file);
  return file;
}

/**
 * One row per figure of the table.
 * @typedef {{ figure: string, value: string, bar?: string, met?: boolean }} Figure
 */

/** @typedef {{ machine: string, date: string, revision?: string, options: object, figures: Figure[] }} Run */

/**
 * The last `npm run bench -- all`: when, from which code, what it ran and what it could not.
 * @typedef {{ startedAt: string, finishedAt: string, revision: string, ran: string[], skipped: string[], failed: string[] }} AllRun
 */

/** @param {ReturnType<typeof sourceRevision>} revision */
export function describeRevision(revision) {
  return revision ? `${revision.commit.slice(0, 10)}${revision.packagesDirty ? ' (packages/ with uncommitted changes)' : ''}` : 'unknown';
}

/** What RESULTS.md holds now: its rows' data, its notes, the last `all`. */
function readResultsMd() {
  /** @type {Record<string, Run>} */
  let runs = {};
  let notes = '';
  /** @type {AllRun | undefined} */
  let allRun;
  try {
    const previous = readFileSync(RESULTS_MD, 'utf8');
    const match = DATA.exec(previous);
    if (match?.[1]) runs = JSON.parse(match[1]);
    const all = ALL_RUN.exec(previous);
    if (all?.[1]) allRun = JSON.parse(all[1]);
    // Hand-written analysis under "## Notes" survives rewrites.
    notes = NOTES.exec(previous)?.[0].trim() ?? '';
  } catch {
    // No file yet: start the table.
  }
  return { runs, notes, allRun };
}

/**
 * Replaces the rows of this scenario and store in bench/RESULTS.md and rewrites the table.
 * @param {{ scenario: string, store: string, startedAt: string, machine: import('./machine.mjs').Machine, revision?: ReturnType<typeof sourceRevision>, figures: Figure[], options: object }} result
 */
export function updateResultsMd(result) {
  const { runs, notes, allRun } = readResultsMd();
  runs[`${result.scenario} ${result.store}`] = {
    machine: describeMachine(result.machine),
    date: result.startedAt.slice(0, 10),
    revision: describeRevision(result.revision),
    // JSON has no Infinity: an unlimited option (`--max-disturbance off`) would read "null".
    options: JSON.parse(JSON.stringify(result.options, (_, v) => (v === Infinity ? 'off' : v))),
    figures: result.figures,
  };
  writeResultsMd(runs, notes, allRun);
}

/**
 * Records a finished `npm run bench -- all` in RESULTS.md's header.
 * @param {AllRun} allRun
 */
export function recordAllRun(allRun) {
  const { runs, notes } = readResultsMd();
  writeResultsMd(runs, notes, allRun);
}

/**
 * @param {Record<string, Run>} runs
 * @param {string} notes
 * @param {AllRun | undefined} allRun
 */
function writeResultsMd(runs, notes, allRun) {
  const machines = [...new Set(Object.values(runs).map((r) => r.machine))];
  const sorted = Object.entries(runs).sort(([a], [b]) => a.localeCompare(b));
  const rows = sorted.flatMap(([key, run]) => {
    const [scenario, store] = key.split(' ');
    const where = machines.length > 1 ? ` (machine ${machines.indexOf(run.machine) + 1})` : '';
    return run.figures.map(
      (f) => `| ${scenario} | ${store} | ${f.figure} | ${f.value} | ${f.bar ?? ''} | ${f.met === undefined ? '' : f.met ? 'yes' : '**no**'} | ${run.date}${where} |`,
    );
  });
  const dates = sorted.map(([, r]) => r.date).sort();
  // Rows written before revisions were recorded have none.
  const revisions = [...new Set(sorted.flatMap(([, r]) => (r.revision ? [r.revision] : [])))];
  const minutes = allRun ? Math.round((Date.parse(allRun.finishedAt) - Date.parse(allRun.startedAt)) / 60_000) : 0;
  const text = [
    '# Benchmark results',
    '',
    'Written by `npm run bench -- <scenario>` (`npm run bench -- all` runs them all); each run replaces its own rows. How each figure is measured: [README.md](README.md).',
    '',
    ...machines.map((m, i) => `- Machine${machines.length > 1 ? ` ${i + 1}` : ''}: ${m}`),
    ...(dates.length > 0 ? [`- Date${dates[0] === dates.at(-1) ? `: ${dates[0]}` : `s: ${dates[0]} to ${dates.at(-1)}`}`] : []),
    ...(revisions.length > 0 ? [`- Revision${revisions.length > 1 ? 's' : ''} (the server's commit): ${revisions.join('; ')}`] : []),
    ...(allRun
      ? [
          `- Last \`npm run bench -- all\`: ${allRun.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${minutes} min, revision ${allRun.revision}` +
            `${allRun.skipped.length > 0 ? `; skipped: ${allRun.skipped.join(', ')}` : ''}${allRun.failed.length > 0 ? `; failed: ${allRun.failed.join(', ')}` : ''}`,
        ]
      : []),
    ...sorted.map(([key, run]) => `- \`${key}\` options: ${Object.entries(run.options).map(([k, v]) => `${k} ${v}`).join(', ')}`),
    '',
    '| scenario | store | figure | value | bar | met | date |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...(notes ? [notes, ''] : []),
    `<!-- bench-data\n${JSON.stringify(runs, null, 1)}\n-->`,
    ...(allRun ? [`<!-- bench-all\n${JSON.stringify(allRun)}\n-->`] : []),
    '',
  ].join('\n');
  writeFileSync(RESULTS_MD, text);
}
