import { describe, expect, it } from 'vitest';
import { unlabelledSentences } from './corpus';

describe('unlabelledSentences', () => {
  it('keeps short texts whole, collapsing white space, and drops very short ones', () => {
    expect(unlabelledSentences(['a  fine\n film indeed', 'ok'])).toEqual(['a fine film indeed']);
  });

  it('packs the sentences of a long text into chunks of at most maxWords', () => {
    const text = 'One two three four. Five six seven! Eight nine ten eleven? Twelve thirteen fourteen.';
    const chunks = unlabelledSentences([text], undefined, { maxWords: 8, minWords: 1 });
    expect(chunks).toEqual(['One two three four. Five six seven!', 'Eight nine ten eleven? Twelve thirteen fourteen.']);
    for (const c of chunks) expect(c.split(' ').length).toBeLessThanOrEqual(8);
  });

  it('splits paragraphs at blank lines and windows an over-long sentence', () => {
    const long = Array.from({ length: 25 }, (_, i) => `w${i}`).join(' ');
    const chunks = unlabelledSentences([`Title here now.\n\n${long}`], undefined, { maxWords: 10, minWords: 1 });
    expect(chunks[0]).toBe('Title here now.');
    expect(chunks.slice(1).map((c) => c.split(' ').length)).toEqual([10, 10, 5]);
  });

  it('adds the extra text after the texts', () => {
    const out = unlabelledSentences(['short text here'], 'The sea was calm that day. Ishmael slept below deck.', { maxWords: 6 });
    expect(out).toEqual(['short text here', 'The sea was calm that day.', 'Ishmael slept below deck.']);
  });
});
