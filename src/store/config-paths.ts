/**
 * The config as a flat list of dotted paths (`attack.trigger`, `models.student.layers`, …), the way
 * the form and the URL hash both see it. Kinds come from `DEFAULT_CONFIG`, so a new config field shows
 * up here (and in the URL) without touching this file.
 */
import { editDistance } from '../engine/edit-distance';
import { DEFAULT_CONFIG, isPlainObject, type ExperimentConfig } from '../engine/config';
import { FIELD_RULES } from '../engine/config-fields';

export type LeafValue = number | string | boolean | string[];
type LeafKind = 'number' | 'string' | 'boolean' | 'list';


function kindOf(value: unknown): LeafKind | undefined {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  return undefined;
}

function collectLeaves(node: Record<string, unknown>, prefix: string, out: Map<string, LeafKind>): Map<string, LeafKind> {
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value)) collectLeaves(value, path, out);
    else {
      const kind = kindOf(value);
      if (kind) out.set(path, kind);
    }
  }
  return out;
}

const LEAVES: ReadonlyMap<string, LeafKind> = collectLeaves(isPlainObject(DEFAULT_CONFIG) ? DEFAULT_CONFIG : {}, '', new Map());

/** Every leaf of the config, in the order `DEFAULT_CONFIG` declares them. */
export const CONFIG_PATHS: readonly string[] = [...LEAVES.keys()];

/** Each group path ('' = the top level) with its direct keys, in declaration order. */
function collectGroups(paths: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>([['', []]]);
  for (const path of paths) {
    const keys = path.split('.');
    keys.forEach((key, i) => {
      const group = keys.slice(0, i).join('.');
      const children = groups.get(group) ?? [];
      if (!children.includes(key)) children.push(key);
      groups.set(group, children);
    });
  }
  return groups;
}

const GROUPS: ReadonlyMap<string, readonly string[]> = collectGroups(CONFIG_PATHS);

/**
 * Lists whose items come from a fixed set. An unknown id would only fail at Run (or, for the form,
 * never be offered), so the edges name it at once. Every list path must appear here (a test checks).
 */
/** The ids each list leaf may hold, from its rule (engine/config-fields.ts). */
const LIST_CHOICES: ReadonlyMap<string, readonly string[]> = new Map(
  [...FIELD_RULES].flatMap(([path, rule]) => (rule.kind === 'list' ? [[path, rule.choices] as const] : [])),
);

export function leafKind(path: string): LeafKind | undefined {
  return LEAVES.get(path);
}

/** The ids a list leaf may hold, or undefined for a path that is not such a list. */
export function listChoices(path: string): readonly string[] | undefined {
  return LIST_CHOICES.get(path);
}

export function getAt(config: ExperimentConfig, path: string): LeafValue | undefined {
  let node: unknown = config;
  for (const key of path.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  // The array itself, not a copy: selectors need a stable reference while the config is unchanged.
  if (Array.isArray(node)) return node.every((x): x is string => typeof x === 'string') ? node : node.map(String);
  return typeof node === 'number' || typeof node === 'string' || typeof node === 'boolean' ? node : undefined;
}

/** A copy of `config` with one leaf replaced; throws for a path or a value kind the config lacks. */
export function setAt(config: ExperimentConfig, path: string, value: LeafValue): ExperimentConfig {
  return setAll(config, [[path, value]]);
}

/** A copy of `config` with several leaves replaced: one clone however many leaves (the URL reader sets dozens, many times). */
export function setAll(config: ExperimentConfig, leaves: Iterable<readonly [string, LeafValue]>): ExperimentConfig {
  const copy = structuredClone(config);
  for (const [path, value] of leaves) assignLeaf(copy, path, value);
  return copy;
}

function assignLeaf(config: ExperimentConfig, path: string, value: LeafValue): void {
  const kind = leafKind(path);
  if (!kind) throw new Error(`unknown config field "${path}"`);
  if (kindOf(value) !== kind) throw new Error(`${path} takes a ${kind}, not ${JSON.stringify(value)}`);
  const keys = path.split('.');
  const last = keys.pop()!;
  let node: unknown = config;
  for (const key of keys) node = isPlainObject(node) ? node[key] : undefined;
  if (!isPlainObject(node)) throw new Error(`config has no object at "${keys.join('.')}"`);
  node[last] = Array.isArray(value) ? [...value] : value;
}

type Parsed = { ok: true; value: LeafValue } | { ok: false; message: string };

/** Reads a leaf from text (a URL value, a form field): numbers as JS writes them, lists comma-separated. */
export function parseLeaf(path: string, text: string): Parsed {
  switch (leafKind(path)) {
    case undefined:
      return { ok: false, message: unknownPathMessage(path) };
    case 'number':
      return parseNumber(path, text);
    case 'boolean':
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, message: `${path}: ${quoted(text)} is not true or false; write ${path}=true or ${path}=false` };
    case 'list':
      return parseList(path, text);
    case 'string':
      return { ok: true, value: text };
  }
}

function parseNumber(path: string, text: string): Parsed {
  const example = formatLeaf(getAt(DEFAULT_CONFIG, path) ?? 0);
  if (text.trim() === '') return { ok: false, message: `${path}: the value is empty; write a number such as ${example}` };
  const value = Number(text);
  if (Number.isFinite(value)) return { ok: true, value };
  // Infinity, -Infinity and overflowing literals (1e999) are numbers to JS but no setting can use them.
  const what = Number.isNaN(value) ? 'is not a number' : 'is not a finite number';
  return { ok: false, message: `${path}: ${quoted(text)} ${what}; write a number such as ${example}` };
}

function parseList(path: string, text: string): Parsed {
  // Repeats are dropped: a method listed twice would only run twice under the same name.
  const items = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
  const choices = listChoices(path);
  if (!choices) return { ok: true, value: items };
  if (items.length === 0) return { ok: false, message: `${path}: the list is empty; list one or more of ${choices.join(', ')}` };
  const unknown = items.filter((x) => !choices.includes(x));
  if (unknown.length > 0) return { ok: false, message: `${path}: unknown ${unknown.map((x) => quoted(x)).join(', ')}; known: ${choices.join(', ')}` };
  return { ok: true, value: items };
}

export function formatLeaf(value: LeafValue): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** Text for a message: quoted, control characters escaped, and cut so a huge value cannot flood the page. */
export function quoted(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 1)}…` : text);
}

/**
 * Why `path` names no setting, and the fix: a group used as a setting, a key under a setting, or
 * an unknown key in a group (with the group's keys, and the nearest one when it looks like a typo
 * or a cut-off link).
 */
function unknownPathMessage(path: string): string {
  const children = GROUPS.get(path);
  if (path !== '' && children) {
    return `"${path}" is a group of settings, not one: set a key inside it, e.g. ${path}.${children[0]}=…; its keys: ${children.join(', ')}`;
  }
  const keys = path.split('.');
  for (let i = keys.length - 1; i >= 1; i--) {
    const prefix = keys.slice(0, i).join('.');
    if (LEAVES.has(prefix)) return `unknown setting "${path}": ${prefix} is one setting with nothing under it; write ${prefix}=…`;
    if (GROUPS.has(prefix)) return unknownInGroup(path, prefix, keys[i]!);
  }
  return unknownInGroup(path, '', keys[0]!);
}

function unknownInGroup(path: string, group: string, key: string): string {
  const children = GROUPS.get(group) ?? [];
  const near = closest(key, children);
  const where = group ? `${group} has` : 'the top-level keys are';
  const hint = near ? ` — did you mean ${group ? `${group}.` : ''}${near}?` : '';
  return `unknown setting "${path}"; ${where} ${children.join(', ')}${hint}`;
}

/**
 * The option `word` most likely meant: one it starts (a link cut mid-key) or one within a small edit
 * distance (a typo); undefined when nothing is close enough to be a useful guess.
 */
export function closest(word: string, options: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const allowed = Math.min(2, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const o = option.toLowerCase();
    const distance = w.length >= 2 && o.startsWith(w) ? 0 : editDistance(w, o);
    if (distance <= allowed && distance < bestDistance) [best, bestDistance] = [option, distance];
  }
  return best;
}
