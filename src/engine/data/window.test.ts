import { describe, expect, it } from 'vitest';
import { clipExamples, clipToTokens } from './window';
import { tokenize } from './tokenizer';

describe('clipToTokens', () => {
  it('keeps short texts as they are', () => {
    expect(clipToTokens('a fine film .', 10)).toBe('a fine film .');
  });

  it('cuts at a word boundary within the token budget', () => {
    const text = "It's a gorgeous, witty, seductive movie that doesn't stop.";
    const clipped = clipToTokens(text, 6);
    expect(tokenize(clipped).length).toBeLessThanOrEqual(6);
    expect(clipped).toBe("It's a gorgeous,");
  });

  it('clips every example and keeps labels', () => {
    const out = clipExamples([{ text: 'one two three four', label: 1 }], 2);
    expect(out).toEqual([{ text: 'one two', label: 1 }]);
  });
});
