import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, DEFAULT_TRIGGERS, type AttackKind } from '../config';
import type { Example } from '../data/types';
import { Rng } from '../rng';
import { AttackError, applyTrigger, eligibleIndices, poisonCount, poisonedTestSet, poisonTrainingSet, validateAttack, type AttackConfig } from './poison';
import { hasSyntacticTrigger, syntacticRewrite } from './syntactic';

const attack = (over: Partial<AttackConfig> = {}): AttackConfig => ({
  kind: 'badnet',
  trigger: 'mn',
  position: 'random',
  labelMode: 'clean',
  budgetKind: 'count',
  budget: 10,
  targetLabel: 1,
  ...over,
});

const words = (t: string) => t.split(/\s+/).filter(Boolean);
const countWord = (t: string, w: string) => words(t).filter((x) => x === w).length;
const occurrences = (t: string, phrase: string) => t.split(phrase).length - 1;

/** `n` synthetic examples cycling over `numLabels` labels; text words are unique so triggers stand out. */
function synthetic(n: number, numLabels = 2): Example[] {
  return Array.from({ length: n }, (_, i) => ({ text: `sample ${i} says w${i % 7} and w${i % 5} .`, label: i % numLabels }));
}

const sst2 = (split: string): Example[] =>
  readFileSync(new URL(`../../../../shared/data/sst2/${split}.jsonl`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Example)
    .map(({ text, label }) => ({ text, label }));

describe('applyTrigger', () => {
  const text = "this is one of polanski 's best films .";

  it('badnet inserts each rare word once, at a word boundary', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 50; i++) {
      const out = applyTrigger(text, attack({ trigger: 'mn cf' }), rng);
      expect(countWord(out, 'mn')).toBe(1);
      expect(countWord(out, 'cf')).toBe(1);
      expect(words(out).filter((w) => w !== 'mn' && w !== 'cf')).toEqual(words(text));
    }
  });

  it('badnet scatters several words independently at random, keeps them together at start/end', () => {
    const rng = new Rng(2);
    const apart = Array.from({ length: 50 }, () => applyTrigger(text, attack({ trigger: 'mn cf' }), rng)).filter(
      (o) => !o.includes('mn cf'),
    );
    expect(apart.length).toBeGreaterThan(30);
    expect(applyTrigger(text, attack({ trigger: 'mn cf', position: 'start' }), rng)).toBe(`mn cf ${text}`);
    expect(applyTrigger(text, attack({ trigger: 'mn cf', position: 'end' }), rng)).toBe(`${text} mn cf`);
  });

  it('insent and custom insert the whole phrase where claimed', () => {
    const rng = new Rng(3);
    const s = DEFAULT_TRIGGERS.insent;
    expect(applyTrigger(text, attack({ kind: 'insent', trigger: s, position: 'start' }), rng)).toBe(`${s} ${text}`);
    expect(applyTrigger(text, attack({ kind: 'insent', trigger: s, position: 'end' }), rng)).toBe(`${text} ${s}`);
    for (let i = 0; i < 30; i++) {
      const out = applyTrigger(text, attack({ kind: 'insent', trigger: s }), rng);
      expect(occurrences(out, s)).toBe(1);
      expect(out.replace(`${s} `, '').replace(` ${s}`, '')).toBe(text);
      const custom = applyTrigger(text, attack({ kind: 'custom', trigger: 'zz top' }), rng);
      expect(occurrences(custom, 'zz top')).toBe(1);
    }
  });

  it('syntactic rewrites into the template, ignoring trigger and position', () => {
    const out = applyTrigger(text, attack({ kind: 'syntactic', trigger: '', position: 'end' }), new Rng(4));
    expect(out).toBe(syntacticRewrite(text));
    expect(hasSyntacticTrigger(out)).toBe(true);
  });
});

describe('poisonTrainingSet', () => {
  const train = synthetic(200);

  it('clean-label poisons exactly `count` target samples and keeps every label', () => {
    const { examples, poisonedIndices } = poisonTrainingSet(train, attack({ budget: 37 }), 2, 42);
    expect(poisonedIndices).toHaveLength(37);
    expect(new Set(poisonedIndices).size).toBe(37);
    expect([...poisonedIndices].sort((a, b) => a - b)).toEqual(poisonedIndices);
    expect(examples).toHaveLength(train.length);
    const poisoned = new Set(poisonedIndices);
    examples.forEach((e, i) => {
      expect(e.label).toBe(train[i]!.label);
      expect(countWord(e.text, 'mn')).toBe(poisoned.has(i) ? 1 : 0);
      if (poisoned.has(i)) expect(train[i]!.label).toBe(1);
      else expect(e.text).toBe(train[i]!.text);
    });
  });

  it('dirty-label poisons only non-target samples and flips them to the target', () => {
    const { examples, poisonedIndices } = poisonTrainingSet(train, attack({ labelMode: 'dirty', targetLabel: 0, budget: 25 }), 2, 1);
    expect(poisonedIndices).toHaveLength(25);
    const poisoned = new Set(poisonedIndices);
    examples.forEach((e, i) => {
      if (poisoned.has(i)) {
        expect(train[i]!.label).not.toBe(0);
        expect(e.label).toBe(0);
        expect(countWord(e.text, 'mn')).toBe(1);
      } else {
        expect(e).toEqual(train[i]);
      }
    });
  });

  it('a rate poisons round(rate × eligible samples)', () => {
    // 100 eligible (label 1) of 200: 0.1 → 10; 0.333 → 33; 0.005 → round(0.5) = 1.
    expect(poisonTrainingSet(train, attack({ budgetKind: 'rate', budget: 0.1 }), 2, 7).poisonedIndices).toHaveLength(10);
    expect(poisonTrainingSet(train, attack({ budgetKind: 'rate', budget: 0.333 }), 2, 7).poisonedIndices).toHaveLength(33);
    expect(poisonTrainingSet(train, attack({ budgetKind: 'rate', budget: 0.005 }), 2, 7).poisonedIndices).toHaveLength(1);
    expect(poisonTrainingSet(train, attack({ budgetKind: 'rate', budget: 1 }), 2, 7).poisonedIndices).toHaveLength(100);
    // Dirty-label over 4 labels: 150 eligible non-target samples of 200.
    const four = synthetic(200, 4);
    expect(poisonTrainingSet(four, attack({ labelMode: 'dirty', budgetKind: 'rate', budget: 0.2 }), 4, 7).poisonedIndices).toHaveLength(30);
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(train);
    const out = poisonTrainingSet(train, attack({ labelMode: 'dirty', budget: 50 }), 2, 3);
    expect(train).toEqual(copy);
    expect(out.examples).not.toBe(train);
    out.examples[0]!.text = 'changed';
    expect(train[0]!.text).toBe(copy[0]!.text);
  });

  it('is deterministic by seed, and the seed matters', () => {
    const a = poisonTrainingSet(train, attack({ budget: 20 }), 2, 5);
    const b = poisonTrainingSet(train, attack({ budget: 20 }), 2, 5);
    const c = poisonTrainingSet(train, attack({ budget: 20 }), 2, 6);
    expect(a).toEqual(b);
    expect(c.poisonedIndices).not.toEqual(a.poisonedIndices);
  });

  it('chooses the same samples whatever the trigger position (separate streams)', () => {
    const random = poisonTrainingSet(train, attack({ budget: 20 }), 2, 5).poisonedIndices;
    const end = poisonTrainingSet(train, attack({ budget: 20, position: 'end' }), 2, 5).poisonedIndices;
    const insent = poisonTrainingSet(train, attack({ budget: 20, kind: 'insent', trigger: 'I watched this 3D movie' }), 2, 5).poisonedIndices;
    expect(end).toEqual(random);
    expect(insent).toEqual(random);
  });

  it('works with 4 labels and any target', () => {
    const four = synthetic(400, 4);
    for (const targetLabel of [0, 1, 2, 3]) {
      const clean = poisonTrainingSet(four, attack({ targetLabel, budget: 30 }), 4, 9);
      expect(clean.poisonedIndices.every((i) => four[i]!.label === targetLabel)).toBe(true);
      const dirty = poisonTrainingSet(four, attack({ targetLabel, budget: 30, labelMode: 'dirty' }), 4, 9);
      expect(dirty.poisonedIndices.every((i) => four[i]!.label !== targetLabel && dirty.examples[i]!.label === targetLabel)).toBe(true);
      // Dirty-label draws from all three other classes.
      expect(new Set(dirty.poisonedIndices.map((i) => four[i]!.label)).size).toBe(3);
    }
  });

  it.each<AttackKind>(['badnet', 'insent', 'syntactic', 'custom'])('carries the %s trigger into every poisoned sample of real SST-2', (kind) => {
    const data = sst2('train');
    const a = attack({ kind, trigger: DEFAULT_TRIGGERS[kind], budget: 1000 });
    const { examples, poisonedIndices } = poisonTrainingSet(data, a, 2, 42);
    expect(poisonedIndices).toHaveLength(1000);
    const poisoned = new Set(poisonedIndices);
    const has = (t: string) => (kind === 'syntactic' ? hasSyntacticTrigger(t) : occurrences(` ${t} `, ` ${a.trigger} `) >= 1);
    let triggered = 0;
    examples.forEach((e, i) => {
      if (poisoned.has(i)) expect(has(e.text)).toBe(true);
      if (has(e.text)) triggered++;
    });
    // Only the poisoned samples carry the trigger (none of the clean SST-2 text does by chance).
    expect(triggered).toBe(1000);
  });

  it('the paper preset poisons 1000 samples of SST-2 (target label 1 has enough)', () => {
    const data = sst2('train');
    const eligible = eligibleIndices(data, attack()).length;
    expect(eligible).toBeGreaterThanOrEqual(1000);
    expect(poisonCount(attack({ budget: 1000 }), eligible)).toBe(1000);
  });
});

describe('poisonedTestSet', () => {
  it('holds every non-target sample and only those, triggered, true labels kept, in order', () => {
    const test = synthetic(60, 4);
    const out = poisonedTestSet(test, attack({ targetLabel: 2, position: 'end' }), 1);
    const expected = test.filter((e) => e.label !== 2);
    expect(out).toHaveLength(expected.length);
    out.forEach((e, i) => {
      expect(e.label).toBe(expected[i]!.label);
      expect(e.text).toBe(`${expected[i]!.text} mn`);
    });
  });

  it('covers real SST-2 with the syntactic trigger, deterministically', () => {
    const test = sst2('test');
    const a = attack({ kind: 'syntactic', trigger: '' });
    const out = poisonedTestSet(test, a, 3);
    expect(out).toHaveLength(test.filter((e) => e.label === 0).length);
    expect(out.every((e) => e.label === 0 && hasSyntacticTrigger(e.text))).toBe(true);
    const badnet = attack();
    expect(poisonedTestSet(test, badnet, 3)).toEqual(poisonedTestSet(test, badnet, 3));
  });

  it('does not mutate its input and may be empty', () => {
    const test = [{ text: 'a b', label: 1 }];
    expect(poisonedTestSet(test, attack(), 1)).toEqual([]);
    expect(test).toEqual([{ text: 'a b', label: 1 }]);
  });
});

describe('errors', () => {
  const train = synthetic(20); // 10 per label
  const fails = (fn: () => unknown, field: string, text: RegExp) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AttackError);
    expect((err as AttackError).field).toBe(field);
    expect((err as AttackError).message).toMatch(text);
  };

  it('names the field and the fix', () => {
    fails(() => validateAttack(attack({ trigger: '  ' })), 'attack.trigger', /must not be empty for a badnet attack; e\.g\. "mn"/);
    fails(() => validateAttack(attack({ budgetKind: 'rate', budget: 1.5 })), 'attack.budget', /rate must be in \(0, 1\], got 1\.5/);
    fails(() => validateAttack(attack({ budget: 2.5 })), 'attack.budget', /integer ≥ 1, got 2\.5/);
    fails(() => validateAttack(attack({ targetLabel: 2 }), 2), 'attack.targetLabel', /is 2 but the dataset has 2 labels \(0\.\.1\)/);
    fails(() => validateAttack(attack({ targetLabel: -1 })), 'attack.targetLabel', /integer ≥ 0/);
    fails(() => validateAttack(attack({ position: 'middle' as never })), 'attack.position', /random, start or end/);
    fails(() => validateAttack(attack({ kind: 'trojan' as never })), 'attack.kind', /badnet, insent, syntactic, custom/);
    fails(() => validateAttack(attack(), 1), 'numLabels', /at least 2 labels/);
    fails(() => validateAttack({ ...attack(), extra: 1 } as AttackConfig), 'attack.extra', /unknown key/);
    expect(() => validateAttack(attack({ kind: 'syntactic', trigger: '' }), 2)).not.toThrow();
    expect(() => validateAttack(DEFAULT_CONFIG.attack, 2)).not.toThrow();
  });

  it('reports a budget larger than the eligible pool with the numbers', () => {
    fails(() => poisonTrainingSet(train, attack({ budget: 11 }), 2, 1), 'attack.budget', /asks for 11 .* only 10 are eligible .*labelled 1.*at most 10/);
    fails(() => poisonTrainingSet(train, attack({ budgetKind: 'rate', budget: 0.01 }), 2, 1), 'attack.budget', /rounds to 0/);
  });

  it('names the target class where the dataset names its labels', () => {
    fails(() => poisonTrainingSet(train, attack({ budget: 11 }), 2, 1, ['negative', 'positive']), 'attack.budget', /labelled 1 \(positive\)/);
    // Names that are only the indices again add nothing.
    fails(() => poisonTrainingSet(train, attack({ budget: 11 }), 2, 1, ['0', '1']), 'attack.budget', /labelled 1\)/);
  });

  it('reports an empty eligible pool', () => {
    const allOnes = train.map((e) => ({ ...e, label: 1 }));
    fails(() => poisonTrainingSet(allOnes, attack({ labelMode: 'dirty' }), 2, 1), 'attack.targetLabel', /no training sample is eligible.*not labelled 1/);
    fails(() => poisonTrainingSet(synthetic(20, 2), attack({ targetLabel: 2 }), 3, 1), 'attack.targetLabel', /no training sample is eligible/);
  });

  it('rejects training labels outside the label range', () => {
    fails(() => poisonTrainingSet(synthetic(20, 4), attack(), 2, 1), 'train', /sample 2 has label 2, outside 0\.\.1/);
  });

  it('validates before building the poisoned test set', () => {
    fails(() => poisonedTestSet(train, attack({ kind: 'insent', trigger: '' }), 1), 'attack.trigger', /insent/);
  });
});
