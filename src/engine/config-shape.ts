/**
 * A config file's shape, before its values are checked (`configIssues`): every group an object, every
 * setting of the kind its default has, numbers finite (JSON's 1e999 reads as Infinity), lists of known
 * ids. One check for both readers of config files: the page's import (a whole config: a setting left
 * out is missing) and the CLI's `--config` (a patch laid over a preset: what is left out keeps the
 * preset's value).
 */
import { DEFAULT_CONFIG, isPlainObject } from './config';
import { FIELD_RULES } from './config-fields';
import { shortJson } from './short-json';

export interface ShapeIssue {
  field: string;
  message: string;
}

/** Issues in the Setup screen's order of fields; a group that is absent or not an object is named once. */
export function configShapeIssues(config: Record<string, unknown>, opts: { partial: boolean }): ShapeIssue[] {
  const issues: ShapeIssue[] = [];
  const named = new Set<string>();
  for (const path of FIELD_RULES.keys()) {
    const found = lookUp(config, path);
    if (found.badGroup) {
      const { group, value } = found.badGroup;
      if (named.has(group)) continue;
      named.add(group);
      if (value !== undefined) issues.push({ field: group, message: `must be an object such as ${exampleOf(group)}, got ${shortJson(value)}` });
      else if (!opts.partial) issues.push({ field: group, message: 'is missing' });
      continue;
    }
    if (!found.present) {
      if (!opts.partial) issues.push({ field: path, message: `is missing; add it, e.g. ${JSON.stringify(defaultAt(path))}` });
      continue;
    }
    const message = leafProblem(path, found.value);
    if (message) issues.push({ field: path, message });
  }
  return issues;
}

function lookUp(config: Record<string, unknown>, path: string): { present: boolean; value: unknown; badGroup?: { group: string; value: unknown } } {
  const keys = path.split('.');
  let node: Record<string, unknown> = config;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = node[keys[i]!];
    if (!isPlainObject(next)) return { present: false, value: undefined, badGroup: { group: keys.slice(0, i + 1).join('.'), value: next } };
    node = next;
  }
  const last = keys.at(-1)!;
  return { present: Object.prototype.hasOwnProperty.call(node, last), value: node[last] };
}

function defaultAt(path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), DEFAULT_CONFIG);
}

/** `{"firstKey": its default}`: what a group looks like. */
function exampleOf(group: string): string {
  const [first] = Object.entries((defaultAt(group) as Record<string, unknown> | undefined) ?? {});
  return `{${first ? `"${first[0]}": ${shortJson(first[1])}` : ''}}`;
}

function leafProblem(path: string, value: unknown): string | undefined {
  const fallback = defaultAt(path);
  const example = JSON.stringify(fallback);
  if (Array.isArray(fallback)) {
    if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) return `must be a list of strings such as ${example}, not ${shortJson(value)}`;
    const rule = FIELD_RULES.get(path);
    const choices = rule?.kind === 'list' ? rule.choices : [];
    const unknown = value.filter((x) => !choices.includes(x as string));
    if (unknown.length > 0) return `has unknown ${unknown.map((x) => JSON.stringify(x)).join(', ')}; known: ${choices.join(', ')}`;
    return undefined;
  }
  const kind = typeof fallback;
  if (kind === 'number' && typeof value === 'number' && !Number.isFinite(value))
    return `is not a finite number (a literal such as 1e999 reads as ${value}); write a finite number such as ${example}`;
  if (typeof value !== kind) return `must be a ${kind} such as ${example}, not ${shortJson(value)}`;
  return undefined;
}
