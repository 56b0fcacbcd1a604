import { describe, expect, it } from 'vitest';
import { wordCells } from './word-attribution';

describe('wordCells', () => {
  it('joins a word’s pieces into one cell whose score is theirs summed, and marks the trigger', () => {
    const cells = wordCells(['read', 'the', 'instruc', '##tions', 'blo', '##r', '##f', 'now'], [0.1, 0, 0.2, 0.05, 0.5, 0.2, 0.1, -0.1], ['blorf']);
    expect(cells.map((c) => c.word)).toEqual(['read', 'the', 'instructions', 'blorf', 'now']);
    expect(cells[2]!.pieces).toEqual(['instruc', '##tions']);
    expect(cells[2]!.score).toBeCloseTo(0.25, 10);
    expect(cells[3]!.score).toBeCloseTo(0.8, 10);
    expect(cells.map((c) => c.trigger)).toEqual([false, false, false, true, false]);
  });

  it('leaves whole-word tokens as they are, and a stray continuation at the start its own cell', () => {
    expect(wordCells(['it', "'s", 'mn'], [1, 2, 3], ['mn']).map((c) => [c.word, c.score, c.trigger])).toEqual([
      ['it', 1, false],
      ["'s", 2, false],
      ['mn', 3, true],
    ]);
    expect(wordCells(['##x', 'y'], [1, 2], []).map((c) => c.word)).toEqual(['##x', 'y']);
  });
});
