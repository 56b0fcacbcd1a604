/**
 * Inserting a trigger phrase into a text at a word boundary. A "word" is a whitespace-separated token,
 * so in pre-tokenised corpora like SST-2 a punctuation token (` , `, ` . `) counts as a word too: a text
 * of n words has n + 1 gaps, numbered 0 (before the first word) to n (after the last). Only the gap
 * receives new characters; the text's own whitespace (newlines in e-mails) is kept as it was.
 */
import type { Rng } from '../rng';
import { AttackError } from './errors';
import { insertedWords, type AttackSpec, type TriggerPosition } from './attack-spec';

/** Character spans `[start, end)` of the whitespace-separated words of `text`. */
function wordSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const m of text.matchAll(/\S+/g)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

/** Number of whitespace-separated words; the text has `wordCount + 1` insertion gaps. */
export function wordCount(text: string): number {
  return wordSpans(text).length;
}

/**
 * The gap a trigger goes into: 0 for `start`, n for `end`, uniform over 0..n for `random`.
 * Draws from `rng` only for `random`, so start/end insertion does not move the stream.
 */
export function chooseGap(text: string, position: TriggerPosition, rng: Rng): number {
  const n = wordCount(text);
  switch (position) {
    case 'start':
      return 0;
    case 'end':
      return n;
    case 'random':
      return rng.int(n + 1);
    default:
      throw new AttackError('attack.position', `must be random, start or end, got "${String(position)}"`);
  }
}

/**
 * `text` with `phrase` placed in gap `wordIndex` (before word `wordIndex`; `wordIndex === n` appends),
 * separated by one space on each side that touches a word. The phrase is trimmed; words are never split.
 */
export function insertPhraseAt(text: string, phrase: string, wordIndex: number): string {
  const p = phrase.trim();
  if (p === '') throw new AttackError('phrase', 'the trigger phrase is empty; give a word or phrase, e.g. "cf"');
  const spans = wordSpans(text);
  const n = spans.length;
  if (!Number.isInteger(wordIndex) || wordIndex < 0 || wordIndex > n) {
    throw new AttackError('wordIndex', `must be an integer in 0..${n} for a text of ${n} words, got ${wordIndex}`);
  }
  if (n === 0) return p; // nothing to keep but whitespace; the trigger alone is the text
  if (wordIndex === n) {
    const end = spans[n - 1]![1];
    return `${text.slice(0, end)} ${p}${text.slice(end)}`;
  }
  const start = spans[wordIndex]![0];
  return `${text.slice(0, start)}${p} ${text.slice(start)}`;
}

/** `text` with `phrase` inserted at a word boundary chosen by `position` (see `chooseGap`). */
export function insertPhrase(text: string, phrase: string, position: TriggerPosition, rng: Rng): string {
  return insertPhraseAt(text, phrase, chooseGap(text, position, rng));
}

/** An attack that inserts its whole trigger text as one phrase at `position` (InSent, a custom phrase). */
export function phraseAttack(meta: Pick<AttackSpec, 'label' | 'description' | 'defaultTrigger'>): AttackSpec {
  return {
    ...meta,
    usesTriggerText: true,
    apply: (text, { trigger, position }, rng) => insertPhrase(text, trigger, position, rng),
    triggerWords: insertedWords,
    addedText: (s) => s.trigger,
    triggerName: (s) => `“${s.trigger}”`,
  };
}
