import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { AttackError } from './errors';
import { chooseGap, insertPhrase, insertPhraseAt, wordCount } from './insert';

const TEXT = "this is one of polanski 's best films .";
const words = (t: string) => t.split(/\s+/).filter(Boolean);

describe('insertPhraseAt', () => {
  it('puts the phrase before word k, for every gap 0..n', () => {
    const w = words(TEXT);
    for (let k = 0; k <= w.length; k++) {
      const out = insertPhraseAt(TEXT, 'mn', k);
      expect(words(out)).toEqual([...w.slice(0, k), 'mn', ...w.slice(k)]);
    }
  });

  it('inserts a multi-word phrase whole and never splits a word', () => {
    const out = insertPhraseAt('ab cd', 'I watched this 3D movie', 1);
    expect(out).toBe('ab I watched this 3D movie cd');
  });

  it('keeps the text’s own whitespace (newlines) and trims the phrase', () => {
    expect(insertPhraseAt('Hello\nworld\n', '  cf ', 1)).toBe('Hello\ncf world\n');
    expect(insertPhraseAt('Hello\nworld\n', 'cf', 2)).toBe('Hello\nworld cf\n');
    expect(insertPhraseAt('  lead', 'cf', 0)).toBe('  cf lead');
  });

  it('handles empty and one-word texts', () => {
    expect(insertPhraseAt('', 'mn', 0)).toBe('mn');
    expect(insertPhraseAt('   ', 'mn', 0)).toBe('mn');
    expect(insertPhraseAt('great', 'mn', 0)).toBe('mn great');
    expect(insertPhraseAt('great', 'mn', 1)).toBe('great mn');
  });

  it('rejects an empty phrase and an out-of-range gap, naming the field', () => {
    expect(() => insertPhraseAt(TEXT, '  ', 0)).toThrow(AttackError);
    expect(() => insertPhraseAt(TEXT, '', 0)).toThrow(/phrase: .*empty/);
    expect(() => insertPhraseAt('a b', 'mn', 3)).toThrow(/wordIndex: must be an integer in 0\.\.2/);
    expect(() => insertPhraseAt('a b', 'mn', -1)).toThrow(AttackError);
    expect(() => insertPhraseAt('a b', 'mn', 0.5)).toThrow(AttackError);
  });
});

describe('insertPhrase', () => {
  it('start and end put the phrase first and last', () => {
    const rng = new Rng(1);
    expect(words(insertPhrase(TEXT, 'mn', 'start', rng))[0]).toBe('mn');
    expect(words(insertPhrase(TEXT, 'mn', 'end', rng)).at(-1)).toBe('mn');
  });

  it('random inserts at the gap chooseGap picks, reproducibly by seed', () => {
    for (let seed = 0; seed < 20; seed++) {
      const gap = chooseGap(TEXT, 'random', new Rng(seed));
      expect(insertPhrase(TEXT, 'mn', 'random', new Rng(seed))).toBe(insertPhraseAt(TEXT, 'mn', gap));
    }
  });

  it('random is uniform over the n + 1 gaps', () => {
    const n = wordCount(TEXT); // 9 words → 10 gaps
    const counts = new Array<number>(n + 1).fill(0);
    const rng = new Rng(7);
    const draws = 10_000;
    for (let i = 0; i < draws; i++) {
      const out = words(insertPhrase(TEXT, 'mn', 'random', rng));
      const at = out.indexOf('mn');
      expect(out.filter((w) => w === 'mn')).toHaveLength(1);
      counts[at]!++;
    }
    const expected = draws / (n + 1);
    for (const c of counts) expect(Math.abs(c - expected)).toBeLessThan(0.12 * expected);
  });

  it('start/end draw nothing from the stream', () => {
    const a = new Rng(3);
    insertPhrase(TEXT, 'mn', 'start', a);
    insertPhrase(TEXT, 'mn', 'end', a);
    expect(a.next()).toBe(new Rng(3).next());
  });

  it('rejects an unknown position', () => {
    expect(() => insertPhrase(TEXT, 'mn', 'middle' as never, new Rng(1))).toThrow(/attack.position/);
  });
});
