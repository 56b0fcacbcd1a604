/**
 * Attributions per word, as a class reads a sentence: a WordPiece word split into pieces (`instru
 * ##tions`) becomes one cell whose score is the sum of its pieces' leave-one-out scores, and a word
 * that belongs to the trigger is marked.
 */
import { CONTINUATION } from '../engine/data/wordpiece';

export interface WordCell {
  word: string;
  /** The pieces the model read, for the hover text ("instru ##tions"). */
  pieces: string[];
  score: number;
  trigger: boolean;
}

export function wordCells(tokens: readonly string[], scores: readonly number[], triggerWords: readonly string[]): WordCell[] {
  const cells: WordCell[] = [];
  tokens.forEach((token, i) => {
    const score = scores[i] ?? 0;
    const last = cells.at(-1);
    if (token.startsWith(CONTINUATION) && last) {
      last.word += token.slice(CONTINUATION.length);
      last.pieces.push(token);
      last.score += score;
    } else cells.push({ word: token, pieces: [token], score, trigger: false });
  });
  const marked = new Set(triggerWords.map((w) => w.toLowerCase()));
  for (const cell of cells) cell.trigger = marked.has(cell.word.toLowerCase());
  return cells;
}
