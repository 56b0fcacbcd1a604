/**
 * The Setup screen's form, drawn from the engine's field table (`engine/config-fields.ts`: group, label,
 * help and rule of every config field): each field's control follows from its rule — a number input
 * bounded as the checks bound it, a menu or a list of the rule's choices, a tick box — with the names
 * and hover texts of the attacks and defenses from their registries, and the dataset picker drawn by a
 * component of its own.
 */
import { ATTACKS } from '../engine/attacks/registry';
import { ATTACK_KINDS, DEFENSE_METHODS } from '../engine/config';
import { CONFIG_GROUPS, type ConfigField, type ConfigGroup } from '../engine/config-fields';
import { DEFENSES } from '../engine/defenses/catalog';

type Names = { labels?: Readonly<Record<string, string>>; titles?: Readonly<Record<string, string>> };

type Control =
  | { kind: 'number'; step?: number; min?: number; max?: number }
  | { kind: 'text' }
  | { kind: 'bool' }
  | ({ kind: 'select'; options: readonly string[] } & Names)
  | ({ kind: 'multi'; options: readonly string[] } & Names)
  /** A class index: a menu of the dataset's classes by name ("0 (ham)") where they are known, else a number. */
  | { kind: 'class' }
  /** Drawn by a component of its own (the dataset picker). */
  | { kind: 'custom' };

export interface FieldSpec {
  path: string;
  label: string;
  help: string;
  control: Control;
}

interface FieldGroup {
  name: ConfigGroup['name'];
  intro: string;
  fields: FieldSpec[];
}

const byKey = <K extends string>(keys: readonly K[], value: (k: K) => string): Record<string, string> => Object.fromEntries(keys.map((k) => [k, value(k)]));

/** Names and hover texts for the menus whose options are registry ids. */
const OPTION_NAMES: Readonly<Record<string, Names>> = {
  'attack.kind': { labels: byKey(ATTACK_KINDS, (k) => ATTACKS[k].label), titles: byKey(ATTACK_KINDS, (k) => ATTACKS[k].description) },
  'defense.methods': {
    labels: byKey(DEFENSE_METHODS, (m) => `${DEFENSES[m].label}${DEFENSES[m].kind === 'filter' ? ' (filter)' : ''}`),
    titles: byKey(DEFENSE_METHODS, (m) => `${DEFENSES[m].procedure}. Trains ${DEFENSES[m].trains}. ${DEFENSES[m].reference}.`),
  },
};

/** Fields drawn by a component of their own. */
const CUSTOM = new Set(['data.source']);

/** Integer fields that index the dataset's classes: a bare "0" names no class. */
const CLASS_INDEX = new Set(['attack.targetLabel']);

function controlOf({ path, rule, step }: ConfigField): Control {
  if (CUSTOM.has(path)) return { kind: 'custom' };
  if (CLASS_INDEX.has(path)) return { kind: 'class' };
  switch (rule.kind) {
    case 'int':
    case 'real':
      return { kind: 'number', step: step ?? 1, ...(rule.min !== undefined ? { min: rule.min } : {}), ...(rule.max !== undefined ? { max: rule.max } : {}) };
    case 'choice':
      return { kind: 'select', options: rule.choices, ...OPTION_NAMES[path] };
    case 'list':
      return { kind: 'multi', options: rule.choices, ...OPTION_NAMES[path] };
    case 'bool':
      return { kind: 'bool' };
    case 'text':
      return { kind: 'text' };
  }
}

export const FIELD_GROUPS: readonly FieldGroup[] = CONFIG_GROUPS.map(({ name, intro, fields }) => ({
  name,
  intro,
  fields: fields.map((f) => ({ path: f.path, label: f.label, help: f.help, control: controlOf(f) })),
}));

export const ALL_FIELDS: readonly FieldSpec[] = FIELD_GROUPS.flatMap((g) => g.fields);

/** The few settings a class changes, shown first; every other field is folded under "Advanced". */
export const ESSENTIAL_FIELDS: readonly string[] = ['data.source', 'attack.kind', 'attack.trigger', 'attack.budget', 'defense.methods', 'seed'];
