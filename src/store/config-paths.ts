/**
 * The config as a flat list of dotted paths (`attack.trigger`, `models.student.layers`, …), the way
 * the form and the URL hash both see it. Kinds come from `DEFAULT_CONFIG`, so a new config field shows
 * up here (and in the URL) without touching this file.
 */
import { DEFAULT_CONFIG, type ExperimentConfig } from '../engine/config';

export type LeafValue = number | string | boolean | string[];
type LeafKind = 'number' | 'string' | 'boolean' | 'list';

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

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
    if (isRecord(value)) collectLeaves(value, path, out);
    else {
      const kind = kindOf(value);
      if (kind) out.set(path, kind);
    }
  }
  return out;
}

const LEAVES: ReadonlyMap<string, LeafKind> = collectLeaves(isRecord(DEFAULT_CONFIG) ? DEFAULT_CONFIG : {}, '', new Map());

/** Every leaf of the config, in the order `DEFAULT_CONFIG` declares them. */
export const CONFIG_PATHS: readonly string[] = [...LEAVES.keys()];

export function leafKind(path: string): LeafKind | undefined {
  return LEAVES.get(path);
}

export function getAt(config: ExperimentConfig, path: string): LeafValue | undefined {
  let node: unknown = config;
  for (const key of path.split('.')) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  // The array itself, not a copy: selectors need a stable reference while the config is unchanged.
  if (Array.isArray(node)) return node.every((x): x is string => typeof x === 'string') ? node : node.map(String);
  return typeof node === 'number' || typeof node === 'string' || typeof node === 'boolean' ? node : undefined;
}

/** A copy of `config` with one leaf replaced; throws for a path or a value kind the config lacks. */
export function setAt(config: ExperimentConfig, path: string, value: LeafValue): ExperimentConfig {
  const kind = leafKind(path);
  if (!kind) throw new Error(`unknown config field "${path}"`);
  if (kindOf(value) !== kind) throw new Error(`${path} takes a ${kind}, not ${JSON.stringify(value)}`);
  const copy = structuredClone(config);
  const keys = path.split('.');
  const last = keys.pop()!;
  let node: unknown = copy;
  for (const key of keys) node = isRecord(node) ? node[key] : undefined;
  if (!isRecord(node)) throw new Error(`config has no object at "${keys.join('.')}"`);
  node[last] = Array.isArray(value) ? [...value] : value;
  return copy;
}

type Parsed = { ok: true; value: LeafValue } | { ok: false; message: string };

/** Reads a leaf from text (a URL value, a form field): numbers as JS writes them, lists comma-separated. */
export function parseLeaf(path: string, text: string): Parsed {
  switch (leafKind(path)) {
    case undefined:
      return { ok: false, message: `unknown setting "${path}"` };
    case 'number': {
      const value = Number(text);
      return text.trim() !== '' && Number.isFinite(value) ? { ok: true, value } : { ok: false, message: `${path}: "${text}" is not a number` };
    }
    case 'boolean':
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, message: `${path}: "${text}" is not true or false` };
    case 'list':
      return { ok: true, value: text.split(',').map((s) => s.trim()).filter(Boolean) };
    case 'string':
      return { ok: true, value: text };
  }
}

export function formatLeaf(value: LeafValue): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}
