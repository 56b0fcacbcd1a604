/**
 * Every attack the lab plants, by the id the config names (`attack.kind`). Adding one is a module
 * implementing `AttackSpec` and a line here; the config, the poisoner, the sweep, the CLI and the UI
 * read this list.
 */
import type { AttackSpec } from './attack-spec';
import { badnet } from './badnet';
import { custom } from './custom';
import { insent } from './insent';
import { syntactic } from './syntactic';

export const ATTACKS = { badnet, insent, syntactic, custom } as const satisfies Record<string, AttackSpec>;

export type AttackKind = keyof typeof ATTACKS;

export const ATTACK_KINDS = Object.keys(ATTACKS) as AttackKind[];
