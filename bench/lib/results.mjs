import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeMachine } from './machine.mjs';

const BENCH = new URL('../', import.meta.url).pathname;
const RESULTS_DIR = join(BENCH, 'results');
const RESULTS_MD = join(BENCH, 'RESULTS.md');
/** RESULTS.md carries its rows as JSON in a comment, so each run replaces only its own rows. */
const DATA = /<!-- bench-data\n([\s\S]*?)\n-->/;
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

/**
 * Replaces the rows of this scenario and store in bench/RESULTS.md and rewrites the table.
 * @param {{ scenario: string, store: string, startedAt: string, machine: import('./machine.mjs').Machine, figures: Figure[], options: object }} result
 */
export function updateResultsMd(result) {
  /** @type {Record<string, { machine: string, date: string, options: object, figures: Figure[] }>} */
  let runs = {};
  let notes = '';
  try {
    const previous = readFileSync(RESULTS_MD, 'utf8');
    const match = DATA.exec(previous);
    if (match?.[1]) runs = JSON.parse(match[1]);
    // Hand-written analysis under "## Notes" survives rewrites.
    notes = NOTES.exec(previous)?.[0].trim() ?? '';
  } catch {
    // No file yet: start the table.
  }
  runs[`${result.scenario} ${result.store}`] = {
    machine: describeMachine(result.machine),
    date: result.startedAt.slice(0, 10),
    options: result.options,
    figures: result.figures,
  };
  const machines = [...new Set(Object.values(runs).map((r) => r.machine))];
  const rows = Object.entries(runs)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([key, run]) => {
      const [scenario, store] = key.split(' ');
      const where = machines.length > 1 ? ` (machine ${machines.indexOf(run.machine) + 1})` : '';
      return run.figures.map(
        (f) => `| ${scenario} | ${store} | ${f.figure} | ${f.value} | ${f.bar ?? ''} | ${f.met === undefined ? '' : f.met ? 'yes' : '**no**'} | ${run.date}${where} |`,
      );
    });
  const text = [
    '# Benchmark results',
    '',
    'Written by `npm run bench -- <scenario>`; each run replaces its own rows. How each figure is measured: [README.md](README.md).',
    '',
    ...machines.map((m, i) => `- Machine${machines.length > 1 ? ` ${i + 1}` : ''}: ${m}`),
    ...Object.entries(runs)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, run]) => `- \`${key}\` options: ${Object.entries(run.options).map(([k, v]) => `${k} ${v}`).join(', ')}`),
    '',
    '| scenario | store | figure | value | bar | met | date |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...(notes ? [notes, ''] : []),
    `<!-- bench-data\n${JSON.stringify(runs, null, 1)}\n-->`,
    '',
  ].join('\n');
  writeFileSync(RESULTS_MD, text);
}
