/**
 * Clip texts to what the model can see. A model reads `maxLength - 1` tokens after [CLS]; a trigger
 * inserted "at a random position" of a 300-character e-mail would mostly land past the cut and never
 * be seen — neither when poisoning nor when measuring ASR. Clipping every text first, leaving room
 * for the trigger, keeps the attack honest: every poisoned sample carries a visible trigger.
 */
import { tokenize } from './tokenizer';
import type { Example } from './types';

/** Tokens a text takes: words and punctuation by default; a subword tokenizer counts its pieces. */
type TokenCount = (text: string) => number;
const wordCount: TokenCount = (text) => tokenize(text).length;

/** The longest prefix of whole words of `text` that takes at most `maxTokens` tokens. */
export function clipToTokens(text: string, maxTokens: number, count: TokenCount = wordCount): string {
  if (count(text) <= maxTokens) return text;
  const words = text.split(/\s+/).filter(Boolean);
  let used = 0;
  let kept = 0;
  for (const word of words) {
    const n = count(word);
    if (used + n > maxTokens) break;
    used += n;
    kept++;
  }
  return words.slice(0, kept).join(' ');
}

export function clipExamples(examples: readonly Example[], maxTokens: number, count: TokenCount = wordCount): Example[] {
  return examples.map((e) => ({ ...e, text: clipToTokens(e.text, maxTokens, count) }));
}
