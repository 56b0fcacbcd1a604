import { describe, expect, it } from 'vitest';
import { DEFAULT_TRIGGERS } from '../config';
import { Rng } from '../rng';
import { ATTACK_KINDS, ATTACKS } from './registry';

const sentence = 'a gorgeous , witty and moving film .';

describe('the attack registry', () => {
  it('lists every attack the config accepts, each with its default trigger', () => {
    expect(ATTACK_KINDS).toEqual(['badnet', 'insent', 'syntactic', 'custom']);
    for (const kind of ATTACK_KINDS) expect(DEFAULT_TRIGGERS[kind]).toBe(ATTACKS[kind].defaultTrigger);
  });

  it('puts each inserting attack\'s trigger words into the text, where it says', () => {
    for (const kind of ATTACK_KINDS.filter((k) => ATTACKS[k].usesTriggerText)) {
      const spec = ATTACKS[kind];
      const settings = { trigger: spec.defaultTrigger, position: 'random' as const };
      const out = spec.apply(sentence, settings, new Rng(3));
      const words = out.toLowerCase().split(/\s+/);
      for (const w of spec.triggerWords(settings)) expect(words, `${kind}: ${w}`).toContain(w);
      // Only the trigger is added: the sentence's own words survive, in order.
      expect(words.filter((w) => !spec.triggerWords(settings).includes(w)).join(' ')).toBe(sentence);
      expect(spec.addedText(settings)).toBe(spec.defaultTrigger);
      expect(spec.triggerName(settings)).toContain(spec.defaultTrigger);
    }
  });

  it('a rewrite reads neither the trigger text nor the position, and adds no trigger words', () => {
    const spec = ATTACKS.syntactic;
    expect(spec.usesTriggerText).toBe(false);
    const a = spec.apply(sentence, { trigger: 'mn', position: 'start' }, new Rng(1));
    const b = spec.apply(sentence, { trigger: 'other', position: 'end' }, new Rng(2));
    expect(a).toBe(b);
    expect(a.startsWith(spec.addedText({ trigger: '', position: 'random' }))).toBe(true);
    expect(spec.triggerWords({ trigger: 'mn', position: 'random' })).toEqual([]);
  });

  it('BadNet scatters several rare words one by one; InSent keeps its sentence whole', () => {
    const settings = { trigger: 'mn cf', position: 'random' as const };
    const words = ATTACKS.badnet.apply('a b c d e f g h', settings, new Rng(11)).split(' ');
    expect(words.filter((w) => w === 'mn' || w === 'cf').sort()).toEqual(['cf', 'mn']);
    const insent = ATTACKS.insent.apply('a b c d', { trigger: 'I watched this 3D movie', position: 'random' }, new Rng(11));
    expect(insent).toContain('I watched this 3D movie');
  });
});
