/**
 * URL hash ⇄ config: the one module that knows the format, so every experiment is a link (as
 * TF Playground does it).
 *
 *   #preset=quick&seed=7&attack.trigger=cf&attack.trigger_hide=true
 *
 * `preset` picks the starting point (default: the default config); every other key is a dotted config
 * path; `<path>_hide=true` hides that control (or a whole group: `attack_hide=true`), so a teacher can
 * hand out a locked exercise. The writer emits the whole config, seed included.
 */
import { configFromPreset, DEFAULT_CONFIG, type ExperimentConfig } from '../engine/config';
import { CONFIG_PATHS, formatLeaf, getAt, parseLeaf, setAt } from './config-paths';

export interface UrlState {
  config: ExperimentConfig;
  /** Paths (or path prefixes) whose controls are hidden. */
  hidden: string[];
  /** Keys that could not be used, each with why; shown to the user, never fatal. */
  warnings: string[];
}

const HIDE_SUFFIX = '_hide';

/** Controls that are not config fields but can still be hidden. */
const EXTRA_HIDEABLE = ['presets'] as const;

export function readHash(hash: string): UrlState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const warnings: string[] = [];
  const hidden: string[] = [];
  let config = startingConfig(params.get('preset'), warnings);
  for (const [key, text] of params) {
    if (key === 'preset') continue;
    if (key.endsWith(HIDE_SUFFIX)) {
      const path = key.slice(0, -HIDE_SUFFIX.length);
      if (!isHideable(path)) warnings.push(`"${key}" hides nothing: there is no control "${path}"`);
      else if (text !== 'false' && !hidden.includes(path)) hidden.push(path);
      continue;
    }
    const parsed = parseLeaf(key, text);
    if (parsed.ok) config = setAt(config, key, parsed.value);
    else warnings.push(`ignored ${parsed.message}`);
  }
  return { config, hidden, warnings };
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

function startingConfig(preset: string | null, warnings: string[]): ExperimentConfig {
  if (!preset) return structuredClone(DEFAULT_CONFIG);
  try {
    return configFromPreset(preset);
  } catch (error) {
    warnings.push(error instanceof Error ? error.message : String(error));
    return structuredClone(DEFAULT_CONFIG);
  }
}

function isHideable(path: string): boolean {
  return EXTRA_HIDEABLE.some((x) => x === path) || CONFIG_PATHS.some((p) => p === path || p.startsWith(`${path}.`));
}

/** Commas stay readable in lists; everything else is percent-encoded. */
function encodeValue(text: string): string {
  return encodeURIComponent(text).replace(/%2C/g, ',');
}
