/**
 * URL hash ⇄ config: the one module that knows the format, so every experiment is a link (as
 * TF Playground does it).
 *
 *   #preset=quick&seed=7&attack.trigger=cf&attack.trigger_hide=true
 *
 * `preset` picks the starting point (default: the default config); every other key is a dotted config
 * path; `<path>_hide=true` hides that control (or a whole group: `attack_hide=true`), so a teacher can
 * hand out a locked exercise. The writer emits the whole config, seed included.
 *
 * A link is untrusted, often mangled input (cut by a chat app, encoded twice by a mailer, edited by
 * hand). The reader never throws and never returns a config that would fail at Run: each key it cannot
 * use keeps the starting value and adds one warning naming the key and the fix.
 *
 * Decisions, each tested in bad-config-input.test.ts:
 * - A key given twice: the last usable value wins (as a later flag overrides an earlier one), with a warning.
 * - Values are decoded once. `%2520cf` is the text "%20cf": that is exactly how the writer encodes a
 *   trigger containing "%20", so decoding again would break legal round trips.
 * - Markup in a value (`<img onerror=…>`) is a legal trigger and kept verbatim; React renders it as text.
 */
import { DEFAULT_CONFIG, type ExperimentConfig } from '../engine/config';
import { configFromPreset, PRESETS } from '../engine/presets';
import { configIssues } from '../engine/config-checks';
import { closest, CONFIG_PATHS, formatLeaf, getAt, leafKind, parseLeaf, quoted, setAll, type LeafValue } from './config-paths';
import { knownLabelCount } from './dataset-spec';
import { errorMessage } from '../engine/error-message';

export interface UrlState {
  config: ExperimentConfig;
  /** Paths (or path prefixes) whose controls are hidden. */
  hidden: string[];
  /** Keys that could not be used, each with why; shown to the user, never fatal. */
  warnings: string[];
  /** The whole link was refused (too long, unreadable): a page opening on it starts from the defaults, one already open keeps its settings. */
  refused?: true;
}

const HIDE_SUFFIX = '_hide';

/** Controls that are not config fields but can still be hidden. */
const EXTRA_HIDEABLE = ['presets'] as const;

/**
 * Hashes longer than this are refused whole. The lab writes about 2 KiB; Chromium keeps URLs up to
 * 2 MB, but chat apps, mail clients and other browsers cut long links far earlier, silently. A hash
 * this long was not written by the lab, and if it was cut we cannot tell which keys went missing:
 * applying the part we can read would run an experiment that looks like the shared one but is not.
 */
export const MAX_HASH_CHARS = 32 * 1024;

/** One `key=value` of the hash, decoded; `value` is undefined when its percent-encoding is broken. */
interface Pair {
  key: string;
  value: string | undefined;
  raw: string;
  rawValue: string;
  /** Which half has a broken percent escape (a cut `%E2%8`), if any. */
  broken?: 'key' | 'value';
  /** False for a bare `key` with no `=`: typically the end of a cut-off link. */
  hasEquals: boolean;
}

/** A usable setting from the link: the text as given and the value it parsed to. */
interface Setting {
  text: string;
  value: LeafValue;
}

export function readHash(hash: string): UrlState {
  try {
    return readHashOrThrow(hash);
  } catch (error) {
    // Whatever a link holds, the page must open; reaching this line is a bug in this file.
    return defaultState([`the lab could not read this link (${errorMessage(error)}); the lab ignored all of it`]);
  }
}

function readHashOrThrow(hash: string): UrlState {
  const body = hash.replace(/^#/, '');
  if (body.length > MAX_HASH_CHARS) return defaultState([tooLongMessage(body.length)]);
  const warnings: string[] = [];
  const pairs = splitPairs(undoDoubleEncoding(body, warnings));
  const base = startingConfig(lastPreset(pairs, warnings), warnings);
  const hidden: string[] = [];
  const settings = new Map<string, Setting>();
  for (const pair of pairs) {
    if (pair.key === 'preset') continue;
    if (pair.key.endsWith(HIDE_SUFFIX) && !pair.broken) readHide(pair, hidden, warnings);
    else readSetting(pair, base, settings, warnings);
  }
  warnRepeats(pairs, settings, warnings);
  return { config: settle(base, settings, warnings), hidden, warnings };
}

export function writeHash(config: ExperimentConfig, hidden: readonly string[]): string {
  const parts: string[] = [];
  for (const path of CONFIG_PATHS) {
    const value = getAt(config, path);
    if (value !== undefined) parts.push(`${path}=${encodeValue(formatLeaf(value))}`);
  }
  for (const path of hidden) parts.push(`${path}${HIDE_SUFFIX}=true`);
  return `#${parts.join('&')}`;
}

/** Whether a control at `path` is hidden by a `_hide` key on it or on a group above it. */
export function isHidden(hidden: readonly string[], path: string): boolean {
  return hidden.some((h) => path === h || path.startsWith(`${h}.`));
}

function defaultState(warnings: string[]): UrlState {
  return { config: structuredClone(DEFAULT_CONFIG), hidden: [], warnings, refused: true };
}

function tooLongMessage(length: number): string {
  const kib = (length / 1024).toFixed(0);
  return `this link's settings are ${kib} KiB, over the ${MAX_HASH_CHARS / 1024} KiB the lab reads (links that long get cut by browsers and chat apps, so its end may be missing); the lab ignored all of it — share the settings as a file (Save config) instead`;
}

/**
 * A hash with no `=` that decodes to one with `=` was percent-encoded twice (`seed%3D4%26…`), as some
 * mail and chat clients do; decoding it once gives the link that was meant.
 */
function undoDoubleEncoding(body: string, warnings: string[]): string {
  if (body.includes('=')) return body;
  const once = decodePart(body);
  if (once === undefined || !once.includes('=')) return body;
  warnings.push('this link was encoded twice (its "=" and "&" arrived as %3D and %26); the lab read it decoded once');
  return once;
}

/** Like URLSearchParams, but keeps what it cannot decode, so the warning can say which key broke. */
function splitPairs(body: string): Pair[] {
  return body
    .split('&')
    .filter((raw) => raw !== '')
    .map(toPair);
}

function toPair(raw: string): Pair {
  const eq = raw.indexOf('=');
  const rawKey = eq < 0 ? raw : raw.slice(0, eq);
  const rawValue = eq < 0 ? '' : raw.slice(eq + 1);
  const key = decodePart(rawKey);
  const value = decodePart(rawValue);
  const broken = key === undefined ? 'key' : value === undefined ? 'value' : undefined;
  return { key: key ?? rawKey, value: broken ? undefined : value, raw, rawValue, hasEquals: eq >= 0, broken };
}

/** Form decoding (`+` is a space), or undefined for a broken escape such as a cut `%E2%8`. */
function decodePart(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function lastPreset(pairs: readonly Pair[], warnings: string[]): string | undefined {
  const presets = pairs.filter((p) => p.key === 'preset');
  const last = presets.at(-1);
  if (!last) return undefined;
  if (presets.length > 1) warnings.push(`preset appears ${presets.length} times in this link; the lab used the last, ${quoted(last.value ?? last.raw)}`);
  if (last.value === undefined) {
    warnings.push(`ignored preset: ${quoted(last.rawValue)} is cut short or not valid percent-encoding; the lab started from the default config`);
    return undefined;
  }
  return last.value;
}

function startingConfig(preset: string | undefined, warnings: string[]): ExperimentConfig {
  if (preset === undefined) return structuredClone(DEFAULT_CONFIG);
  const names = PRESETS.map((p) => p.name);
  if (!names.includes(preset)) {
    const near = closest(preset, names);
    const hint = near ? ` — did you mean "${near}"? (the link may have been cut short)` : '';
    const what = preset === '' ? 'preset is empty' : `unknown preset ${quoted(preset)}`;
    warnings.push(`${what}; choose one of ${names.join(', ')}${hint}; the lab started from the default config`);
    return structuredClone(DEFAULT_CONFIG);
  }
  return configFromPreset(preset);
}

function readHide(pair: Pair, hidden: string[], warnings: string[]): void {
  const path = pair.key.slice(0, -HIDE_SUFFIX.length);
  if (path === '') warnings.push(`"${pair.key}" hides nothing: put a control's name before it, e.g. attack.trigger_hide=true or attack_hide=true`);
  else if (!isHideable(path))
    warnings.push(`"${pair.key}" hides nothing: there is no control "${path}"; hide a setting (attack.trigger_hide=true), a group (attack_hide=true) or the presets (presets_hide=true)`);
  else if (pair.value !== 'false' && !hidden.includes(path)) hidden.push(path);
}

/** Parses one setting into `settings` (a later one replaces an earlier one), or warns why it cannot. */
function readSetting(pair: Pair, base: ExperimentConfig, settings: Map<string, Setting>, warnings: string[]): void {
  const kept = leafKind(pair.key) ? ` (kept ${shown(getAt(base, pair.key))})` : '';
  if (pair.key === '') return void warnings.push(`ignored ${quoted(pair.raw)}: no setting is named before "="`);
  if (pair.broken === 'key') return void warnings.push(`ignored ${quoted(pair.raw)}: its name is cut short or not valid percent-encoding`);
  if (pair.value === undefined) {
    return void warnings.push(`ignored ${pair.key}: ${quoted(pair.rawValue)} is cut short or not valid percent-encoding (each % takes two hex digits that spell whole UTF-8 characters)${kept}`);
  }
  const parsed = parseLeaf(pair.key, pair.value);
  if (!parsed.ok) {
    const cut = pair.hasEquals ? '' : ' (it has no "=": was the link cut short?)';
    return void warnings.push(`ignored ${parsed.message}${cut}${kept}`);
  }
  settings.delete(pair.key); // re-inserted at the end: the order of the link's last word on each key
  settings.set(pair.key, { text: pair.value, value: parsed.value });
}

function warnRepeats(pairs: readonly Pair[], settings: ReadonlyMap<string, Setting>, warnings: string[]): void {
  const counts = new Map<string, number>();
  for (const { key } of pairs) counts.set(key, (counts.get(key) ?? 0) + 1);
  for (const [key, count] of counts) {
    const used = settings.get(key);
    if (count > 1 && used) warnings.push(`${key} appears ${count} times in this link; the lab used the last usable value, ${shown(used.value)}`);
  }
}

/**
 * The starting config with every usable setting of the link, less those that would make it fail at
 * Run (`configIssues`, the same check Run makes). Settings are judged together, not one by one,
 * because fields constrain each other (heads must divide dModel; a count budget must be a whole
 * number): a link that sets both sides of such a pair works in either order.
 */
function settle(base: ExperimentConfig, settings: ReadonlyMap<string, Setting>, warnings: string[]): ExperimentConfig {
  const baseline = new Set(issuesOf(base).map(issueKey));
  const kept = new Map(settings);
  for (;;) {
    const config = withSettings(base, kept);
    const issue = issuesOf(config).find((i) => !baseline.has(issueKey(i)));
    if (!issue || kept.size === 0) return config;
    const culprit = blame(base, kept, issue, baseline);
    warnings.push(rejectedMessage(culprit, kept.get(culprit)!, issue, base));
    kept.delete(culprit);
  }
}

type Issue = ReturnType<typeof configIssues>[number];

/**
 * The setting to drop for `issue`: its own field's setting if dropping that clears it, else the latest
 * other setting whose removal does (`data.tokenizer=word` breaks `pretrain.checkpoint`); failing both,
 * the field's own setting or the latest one, so each round drops one and the loop ends.
 */
function blame(base: ExperimentConfig, kept: ReadonlyMap<string, Setting>, issue: Issue, baseline: ReadonlySet<string>): string {
  const others = [...kept.keys()].reverse().filter((k) => k !== issue.field);
  const order = kept.has(issue.field) ? [issue.field, ...others] : others;
  const clears = (key: string) => {
    const without = new Map(kept);
    without.delete(key);
    return !issuesOf(withSettings(base, without)).some((i) => i.field === issue.field && !baseline.has(issueKey(i)));
  };
  return order.find(clears) ?? order[0]!;
}

function rejectedMessage(key: string, setting: Setting, issue: Issue, base: ExperimentConfig): string {
  const why = issue.field === key ? issue.message : `with it, ${issue.field}: ${issue.message}`;
  return `ignored ${key}=${quoted(setting.text)}: ${why} (kept ${shown(getAt(base, key))})`;
}

function issuesOf(config: ExperimentConfig): Issue[] {
  // Built-in datasets have a known label count, so an out-of-range target label is caught here, not at Run.
  return configIssues(config, knownLabelCount(config.data.source, null));
}

function issueKey(issue: Issue): string {
  return `${issue.field}\u0000${issue.message}`;
}

function withSettings(base: ExperimentConfig, settings: ReadonlyMap<string, Setting>): ExperimentConfig {
  return setAll(base, [...settings].map(([path, { value }]) => [path, value] as const));
}

function shown(value: LeafValue | undefined): string {
  if (value === undefined) return 'nothing';
  return typeof value === 'string' ? quoted(value) : formatLeaf(value);
}

function isHideable(path: string): boolean {
  return EXTRA_HIDEABLE.some((x) => x === path) || CONFIG_PATHS.some((p) => p === path || p.startsWith(`${path}.`));
}

/** Commas stay readable in lists; everything else is percent-encoded. */
function encodeValue(text: string): string {
  return encodeURIComponent(text).replace(/%2C/g, ',');
}
