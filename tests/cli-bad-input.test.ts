/**
 * The Node runner on bad input (hardening): one row per malformed command line, each run as a
 * real process. Every row must exit 2, fast, with one line on stderr that names the flag or the file and
 * the fix, no stack trace, and nothing trained or written (the backend never starts, `--out` stays
 * absent). tests/cli.test.ts holds the runner's happy path and its first bad-input rows.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

/**
 * Wall-time bound for one bad-input run. A cold `node --import tsx` start takes 2–4 s here and the
 * runner loads tfjs before it parses a flag, so the bound is wide: a shared CI core can be several times
 * slower. What it guards against is a check that runs only after data loads or training starts (tens of
 * seconds to minutes), or a hang (Node's recursive mkdir loops forever under /proc).
 */
const FAST_MS = 10_000;

// The process timeout (runCli's 60 s) is well past FAST_MS, so that a slow run fails the time check with its output shown.
const experiment = (args: string[]) => runCli('src/cli/experiment.ts', args);

/** A regex matching `parts` literally, in order, anything between them (e.g. a JSON parser's wording). */
function lit(...parts: string[]): RegExp {
  return new RegExp(parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
}

// Fixtures are made while the rows are collected: each row names its files, so they must exist by then.
const dir = mkdtempSync(join(tmpdir(), 'w2s-bad-input-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const folder = (name: string): string => {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  return path;
};
const json = (name: string, value: unknown) => file(name, JSON.stringify(value));

const NOTES = file('notes.txt', 'not a folder\n');
const EMPTY = folder('empty');
const MISSING = join(dir, 'no-such-thing');
const SWEEP = json('sweep.json', { triggers: ['mn'] });
const TRUNCATED_SHARD = folder('shard-truncated');
writeFileSync(join(TRUNCATED_SHARD, 'sweep.json'), '{"format": 1, "base": {');
const ARRAY_SHARD = folder('shard-array');
writeFileSync(join(ARRAY_SHARD, 'sweep.json'), '[]');
const LOCKED = folder('locked');
chmodSync(LOCKED, 0o500);
/** Root writes through chmod 0o500, so that row runs only for other users; the rows under a file and under /proc fail for root too. */
const isRoot = process.getuid?.() === 0;
const hasProc = existsSync('/proc/self');

const CONFIG_FIX = 'give a JSON file of config overrides';
const DATA_FIX = 'give a folder with train.jsonl (and dev.jsonl, test.jsonl)';
const WRITE_FIX = 'pick a folder you can write to';

interface Row {
  name: string;
  args: string[];
  /** What stderr's last (and only) line must say. */
  message: RegExp;
  /** The row gives its own --out; otherwise a fresh one is added, which must still be absent afterwards. */
  ownOut?: boolean;
}

const seedRow = (value: string): Row => ({ name: `--seed ${JSON.stringify(value)}`, args: ['--seed', value], message: lit(`--seed: must be an integer such as 42, got "${value}"`) });

const rows: Row[] = [
  // Flags parseArgs rejects, reworded to name the flag.
  { name: 'unknown flag --bogus', args: ['--bogus'], message: /^error: Unknown option '--bogus' \(see --help\)$/ },
  { name: 'typo --sed 3', args: ['--sed', '3'], message: lit("Unknown option '--sed'; did you mean --seed? (see --help)") },
  { name: '--seed without its value, at the end', args: ['--seed'], message: lit('--seed: needs a value, e.g. --seed 42') },
  { name: '--seed followed by another flag', args: ['--seed', '--no-cache'], message: lit('--seed: needs a value, but the next argument starts with "-"', '--seed=VALUE') },
  { name: 'a value for the switch --no-cache', args: ['--no-cache=yes'], message: lit('--no-cache: is a switch and takes no value') },
  { name: 'an empty --out (an unset shell variable)', args: ['--out', ''], message: lit('--out: is empty; give a path, e.g. --out DIR'), ownOut: true },
  { name: 'an empty --config', args: ['--config', ''], message: lit('--config: is empty; give a path, e.g. --config FILE.json') },
  { name: 'unexpected positional argument', args: ['results'], message: lit('unexpected argument "results"; only --merge takes folders without a flag') },
  // Numbers: only plain decimal integers are seeds (Number() would read "" as 0 and "0x10" as 16).
  ...['abc', '1.5', 'Infinity', 'NaN', '1e400', '', '0x10', '1e3'].map(seedRow),
  // Enumerations.
  { name: '--backend gpu', args: ['--backend', 'gpu'], message: lit('--backend: must be wasm or cpu, got "gpu"') },
  { name: '--eval train', args: ['--eval', 'train'], message: lit('--eval: must be test or dev, got "train"') },
  { name: '--lanes two', args: ['--lanes', 'two'], message: lit('--lanes: must be a whole number from 0 to 8 (worker threads for the defenses besides the main one), got "two"') },
  { name: '--lanes 12', args: ['--lanes', '12'], message: lit('--lanes: must be a whole number from 0 to 8') },
  { name: '--eval dev with a sweep', args: ['--eval', 'dev', '--sweep', SWEEP], message: lit('--eval: dev is for single runs that choose settings; a sweep reports on the test split') },
  { name: '--attack sideways', args: ['--attack', 'sideways'], message: lit('--attack: unknown attack "sideways"; choose one of badnet') },
  { name: '--preset nope', args: ['--preset', 'nope'], message: lit('--preset: unknown preset "nope"; choose one of quick') },
  { name: 'a blank --trigger for BadNet', args: ['--attack', 'badnet', '--trigger', ' '], message: lit('--trigger: must not be empty for a badnet attack; e.g. "mn"') },
  // --data: checked up front, not when the dataset loads after the backend started.
  { name: '--data is a file', args: ['--data', NOTES], message: lit(`--data: ${NOTES} is a file, not a folder; ${DATA_FIX}`) },
  { name: '--data does not exist', args: ['--data', MISSING], message: lit(`--data: ${MISSING} does not exist; ${DATA_FIX}`) },
  { name: '--data is an empty folder', args: ['--data', EMPTY], message: lit(`--data: ${EMPTY} has no train file (expected one of train.jsonl, train.csv, train.tsv)`) },
  // --out: probed before anything runs, not when results.json is written at the end.
  { name: '--out under a file', args: ['--out', join(NOTES, 'x')], message: lit(`--out: ${join(NOTES, 'x')} cannot be written (ENOTDIR: `, `); ${WRITE_FIX}`), ownOut: true },
  { name: '--out is a file', args: ['--out', NOTES], message: lit(`--out: ${NOTES} cannot be written (EEXIST: ${NOTES} is a file, not a folder); ${WRITE_FIX}`), ownOut: true },
  ...(hasProc ? [{ name: '--out under /proc', args: ['--out', '/proc/forbidden'], message: lit(`--out: /proc/forbidden cannot be written (ENOENT: /proc takes no new folders); ${WRITE_FIX}`), ownOut: true }] : []),
  ...(isRoot ? [] : [{ name: '--out in a read-only folder', args: ['--out', join(LOCKED, 'run')], message: lit(`--out: ${join(LOCKED, 'run')} cannot be written (EACCES: permission denied); ${WRITE_FIX}`), ownOut: true }]),
  // --config files: read errors, JSON errors, wrong shapes and fields, each naming the file and the field.
  { name: '--config does not exist', args: ['--config', join(dir, 'missing.json')], message: lit(`--config: cannot read ${join(dir, 'missing.json')}: no such file or folder (ENOENT); ${CONFIG_FIX}`) },
  { name: '--config is a folder', args: ['--config', EMPTY], message: lit(`--config: cannot read ${EMPTY}: it is a folder, not a file (EISDIR); ${CONFIG_FIX}`) },
  { name: '--config is truncated JSON', args: ['--config', file('truncated.json', '{"seed": 7,\n "data": {')], message: lit(`--config: cannot read ${join(dir, 'truncated.json')} as JSON: `, `; ${CONFIG_FIX}`) },
  { name: '--config holds an array', args: ['--config', json('array.json', [1, 2])], message: lit(`--config: ${join(dir, 'array.json')} must hold a JSON object, got [1,2]; ${CONFIG_FIX}`) },
  { name: '--config holds a number', args: ['--config', json('number.json', 7)], message: lit(`--config: ${join(dir, 'number.json')} must hold a JSON object, got 7`) },
  { name: '--config holds null', args: ['--config', file('null.json', 'null')], message: lit(`--config: ${join(dir, 'null.json')} must hold a JSON object, got null`) },
  {
    name: '--config with an unknown key at depth',
    args: ['--config', json('deep-typo.json', { models: { student: { layerz: 2 } } })],
    message: lit(`--config: ${join(dir, 'deep-typo.json')}: models.student.layerz: unknown key; known keys here: layers, dModel, heads, dFF`),
  },
  { name: '--config with a string seed', args: ['--config', json('seed-string.json', { seed: 'x' })], message: lit(`--config: ${join(dir, 'seed-string.json')}: seed: must be a number such as 42, not "x"`) },
  { name: '--config with maxLength out of range', args: ['--config', json('too-long.json', { data: { maxLength: 9999 } })], message: lit(`--config: ${join(dir, 'too-long.json')}: data.maxLength: must be an integer in 4..512`) },
  { name: '--config with a string for a section', args: ['--config', json('data-string.json', { data: 'spam' })], message: lit(`--config: ${join(dir, 'data-string.json')}: data: must be an object such as {"source": "spam"}, got "spam"`) },
  { name: '--config with null for a nested section', args: ['--config', json('onion-null.json', { defense: { onion: null } })], message: lit(`--config: ${join(dir, 'onion-null.json')}: defense.onion: must be an object such as {"threshold": 0}, got null`) },
  // --sweep files: every message names the file and the key.
  { name: '--sweep does not exist', args: ['--sweep', join(dir, 'no-sweep.json')], message: lit(`--sweep: cannot read ${join(dir, 'no-sweep.json')}: no such file or folder (ENOENT); give a sweep file like`) },
  { name: '--sweep is not JSON', args: ['--sweep', file('not-json.json', 'triggers: mn, cf\n')], message: lit(`--sweep: cannot read ${join(dir, 'not-json.json')} as JSON: `, '; give a sweep file like') },
  { name: '--sweep holds an array', args: ['--sweep', json('sweep-array.json', ['mn'])], message: lit(`--sweep: ${join(dir, 'sweep-array.json')} must hold an object like {"triggers": ["mn", "cf"]}, got ["mn"]`) },
  { name: '--sweep with an unknown key', args: ['--sweep', json('sweep-typo.json', { triggers: ['mn'], budget: [0.1] })], message: lit(`--sweep: ${join(dir, 'sweep-typo.json')}: unknown key "budget"; known keys: triggers, budgets, labelModes`) },
  { name: '--sweep with no triggers', args: ['--sweep', json('sweep-empty.json', { triggers: [] })], message: lit(`--sweep: ${join(dir, 'sweep-empty.json')} needs a non-empty "triggers" list`) },
  { name: '--sweep with only blank triggers', args: ['--sweep', json('sweep-blank.json', { triggers: [' , '] })], message: lit(`--sweep: ${join(dir, 'sweep-blank.json')}: "triggers" holds only blank text`) },
  { name: '--sweep with a numeric trigger', args: ['--sweep', json('sweep-42.json', { triggers: [42] })], message: lit(`--sweep: ${join(dir, 'sweep-42.json')}: "triggers"[0] must be a string or {"kind": `, 'got 42') },
  { name: '--sweep with a trigger listed twice', args: ['--sweep', json('sweep-twice.json', { triggers: ['mn', 'mn'] })], message: lit(`--sweep: ${join(dir, 'sweep-twice.json')}: the trigger "mn" is listed twice`) },
  { name: '--sweep with a rate of 1.5', args: ['--sweep', json('sweep-150.json', { triggers: ['mn'], budgets: [1.5] })], message: lit(`--sweep: ${join(dir, 'sweep-150.json')}: "budgets" holds 1.5, but the config's attack.budgetKind is "rate"; a rate must be in (0, 1]`) },
  { name: '--sweep with a negative budget', args: ['--sweep', json('sweep-neg.json', { triggers: ['mn'], budgets: [-0.1] })], message: lit(`--sweep: ${join(dir, 'sweep-neg.json')}: "budgets" must be a list of positive numbers`, 'got -0.1') },
  { name: '--sweep with a text budget', args: ['--sweep', json('sweep-text.json', { triggers: ['mn'], budgets: ['x'] })], message: lit(`--sweep: ${join(dir, 'sweep-text.json')}: "budgets" must be a list of positive numbers`, 'got "x"') },
  { name: '--sweep with a bad label mode', args: ['--sweep', json('sweep-mode.json', { triggers: ['mn'], labelModes: ['sideways'] })], message: lit(`--sweep: ${join(dir, 'sweep-mode.json')}: unknown label mode "sideways" in "labelModes"; use "clean" or "dirty"`) },
  { name: '--sweep is a folder', args: ['--sweep', EMPTY], message: lit(`--sweep: cannot read ${EMPTY}: it is a folder, not a file (EISDIR)`) },
  // --shard (tests/cli.test.ts has 0/2 without --sweep, 2/2 and "half").
  { name: '--shard 1/0', args: ['--sweep', SWEEP, '--shard', '1/0'], message: lit('--shard: the shard "1/0" is not i/N with 0 ≤ i < N; write e.g. 0/4') },
  { name: '--shard 3 (no count)', args: ['--sweep', SWEEP, '--shard', '3'], message: lit('--shard: the shard "3" is not i/N') },
  { name: '--shard empty', args: ['--sweep', SWEEP, '--shard='], message: lit('--shard: the shard "" is not i/N') },
  { name: 'a valid --shard of a missing sweep file', args: ['--sweep', join(dir, 'gone.json'), '--shard', '0/2'], message: lit(`--sweep: cannot read ${join(dir, 'gone.json')}: no such file or folder (ENOENT)`) },
  // --merge (tests/cli.test.ts has: no folders, no --out, a missing folder).
  { name: '--merge with --sweep', args: ['--merge', EMPTY, '--sweep', SWEEP], message: lit('--merge: joins finished shard folders; run --sweep/--shard and --merge as separate commands') },
  { name: '--merge of a file', args: ['--merge', NOTES], message: lit(`--merge: ${NOTES} is a file, not a folder; give the --out folder of a finished sweep shard`) },
  { name: '--merge of a folder without sweep.json', args: ['--merge', EMPTY], message: lit(`--merge: ${EMPTY} has no sweep.json: it is not the --out folder of a finished sweep shard`) },
  { name: '--merge of a truncated sweep.json', args: ['--merge', TRUNCATED_SHARD], message: lit(`--merge: cannot read ${join(TRUNCATED_SHARD, 'sweep.json')} as JSON: `, '; run that shard again') },
  { name: '--merge of a sweep.json that is not a manifest', args: ['--merge', ARRAY_SHARD], message: lit(`--merge: ${join(ARRAY_SHARD, 'sweep.json')} is not a sweep manifest of this lab`) },
];

afterAll(() => {
  chmodSync(LOCKED, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run experiment on bad input', () => {
  it('has a row for each kind of bad input: flags, values, files, folders, sweeps, shards, merges', () => {
    expect(rows.length).toBeGreaterThanOrEqual(25);
  });

  it.each(rows.map((row, i) => ({ ...row, out: join(dir, 'runs', `row-${i}`) })))('$name: exits 2 fast with one clear line', async ({ args, message, ownOut, out }) => {
    const { code, stdout, stderr, ms } = await experiment(ownOut ? args : ['--out', out, ...args]);
    expect(code, stderr).toBe(2);
    const lines = stderr.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(message);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).not.toContain('node:internal');
    expect(ms, `took ${Math.round(ms)} ms`).toBeLessThan(FAST_MS);
    // Nothing trained: the banner prints once the backend is up; a fresh --out was never made, and a
    // row's own --out (a file, a path under one) holds no results.
    expect(stdout).not.toContain('W2S Backdoor Lab');
    if (!ownOut) expect(existsSync(out)).toBe(false);
    const target = ownOut ? args[args.indexOf('--out') + 1]! : out;
    for (const written of ['results.json', 'events.jsonl', 'summary.json']) expect(existsSync(join(target, written))).toBe(false);
  });
});
