import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../data/tokenizer';
import { WordPieceTokenizer } from '../data/wordpiece';
import { describeTrigger } from './trigger-tokens';

// Hand-written vocabularies, so each test says exactly which pieces exist (never the shipped file's).
const wordpiece = (pieces: string[]) => WordPieceTokenizer.fromJSON({ kind: 'wordpiece', pieces });
const letters = [...'abcdefghijklmnopqrstuvwxyz'];
const alphabet = [...letters, ...letters.map((c) => `##${c}`)];

const badnet = (trigger: string) => ({ kind: 'badnet' as const, trigger, position: 'random' as const });

const clean = ['my movie was fine', 'mn is no word here', 'a man and a plan', 'nothing at all', 'm n m n'];

describe('describeTrigger', () => {
  it('a split trigger: its pieces, ## marked, and in how many clean texts each occurs', () => {
    const tok = wordpiece([...alphabet, 'movie', 'was', 'fine']);
    const r = describeTrigger(tok, badnet('mn'), ['my movie', 'a man', 'nothing at all', 'm n m n']);
    expect(r.tokenizer).toBe('wordpiece');
    expect(r.text).toBe('mn');
    expect(r.words).toHaveLength(1);
    const [w] = r.words;
    expect(w!.word).toBe('mn');
    expect(w!.oneToken).toBe(false);
    expect(w!.pieces.map((p) => p.text)).toEqual(['m', '##n']);
    expect(w!.pieces.map((p) => p.continuation)).toEqual([false, true]);
    expect(w!.pieces.some((p) => p.unknown)).toBe(false);
    // "m" opens "my" (m ##y; "movie" is a piece of its own), "man" and "m n m n": texts 1, 2, 4.
    // "##n" is inside "man" and "nothing" (texts 2, 3); a lone "n" is the initial form, not "##n".
    expect(w!.pieces.map((p) => p.cleanTexts)).toEqual([3, 2]);
    expect(r.cleanTexts).toBe(4);
    expect(r.summary).toBe(
      '"mn" is split into m + ##n; clean text uses these pieces (m: in 3 of 4 training texts, ##n: in 2): the backdoor must be a circuit over pieces that clean text also trains',
    );
  });

  it('a one-token trigger clean text never uses', () => {
    const tok = wordpiece([...alphabet, 'mn', 'movie']);
    const r = describeTrigger(tok, badnet('MN'), clean);
    expect(r.words[0]!.pieces).toEqual([{ text: 'mn', continuation: false, unknown: false, cleanTexts: 1 }]);
    // "mn is no word here" holds it: a trigger that occurs in clean text is said to share its row.
    expect(r.summary).toMatch(/^"MN" is one token of the vocabulary; clean text uses it too \(mn: in 1 of 5 training texts\)/);
    const absent = describeTrigger(tok, badnet('mn'), clean.filter((t) => !t.startsWith('mn')));
    expect(absent.words[0]!.oneToken).toBe(true);
    expect(absent.summary).toBe('"mn" is one token of the vocabulary, absent from the clean training text');
  });

  it('calls a one-token trigger in at most 1 % of the clean texts a rare one', () => {
    const tok = Tokenizer.fromTexts([], { vocabSize: 20, reserved: ['mn', 'the', 'film'] });
    const clean = ['the mn film', ...Array.from({ length: 199 }, () => 'the film')];
    expect(describeTrigger(tok, badnet('mn'), clean).summary).toBe('"mn" is one token of the vocabulary, a rare one (in 1 of 200 training texts)');
    expect(describeTrigger(tok, badnet('mn'), clean.slice(0, 50)).summary).toMatch(/clean text uses it too \(mn: in 1 of 50 training texts\)/);
  });

  it('without clean texts: pieces and one-token-or-not only', () => {
    const tok = wordpiece([...alphabet, 'cf']);
    const r = describeTrigger(tok, badnet('cf'));
    expect(r.cleanTexts).toBeUndefined();
    expect(r.words[0]!.pieces[0]!.cleanTexts).toBeUndefined();
    expect(r.summary).toBe('"cf" is one token of the vocabulary');
    expect(describeTrigger(tok, badnet('mn')).summary).toBe('"mn" is split into m + ##n');
  });

  it('a word the vocabulary cannot spell reads as [UNK]', () => {
    const tok = wordpiece(['a', 'b', '##a', '##b']);
    const r = describeTrigger(tok, badnet('mn'), ['a b', 'zz top', 'ab']);
    expect(r.words[0]!.pieces).toEqual([{ text: '[UNK]', continuation: false, unknown: true, cleanTexts: 1 }]);
    expect(r.words[0]!.oneToken).toBe(false);
    expect(r.summary).toMatch(/^"mn" reads as \[UNK\].*; clean text uses it too \(\[UNK\]: in 1 of 3 training texts\): the backdoor shares its row with clean text/);
    // The word tokenizer writes an unknown word as itself; the report says what the model reads.
    const words = Tokenizer.fromTexts(['a b'], { vocabSize: 20 });
    const w = describeTrigger(words, badnet('mn'));
    expect(w.tokenizer).toBe('word');
    expect(w.words[0]!.pieces).toEqual([{ text: '[UNK]', continuation: false, unknown: true }]);
    expect(describeTrigger(words, badnet('mn'), ['a b']).summary).toMatch(/unknown word, absent from the clean training text$/);
  });

  it('the word tokenizer keeps a reserved trigger whole and counts it by text', () => {
    const texts = ['cf is here', 'not here', 'cf and cf again'];
    const tok = Tokenizer.fromTexts(texts, { vocabSize: 50, reserved: ['cf'] });
    const r = describeTrigger(tok, badnet('cf'), texts);
    expect(r.words[0]!.oneToken).toBe(true);
    expect(r.words[0]!.pieces[0]!.cleanTexts).toBe(2); // documents, not occurrences
    expect(r.summary).toContain('in 2 of 3 training texts');
  });

  it('a sentence trigger (InSent): each word with its pieces, shared and absent pieces named', () => {
    const texts = ['i like this movie', 'this is it', 'a 3 hour film'];
    const tok = wordpiece([...alphabet, '3', 'watched', 'this', 'movie']);
    const r = describeTrigger(tok, { kind: 'insent', trigger: 'I watched this 3D movie', position: 'start' }, texts);
    expect(r.words.map((w) => w.word)).toEqual(['i', 'watched', 'this', '3d', 'movie']);
    expect(r.words.map((w) => w.oneToken)).toEqual([true, true, true, false, true]);
    expect(r.words[3]!.pieces.map((p) => p.text)).toEqual(['3', '##d']);
    const df = Object.fromEntries(r.words.flatMap((w) => w.pieces.map((p) => [p.text, p.cleanTexts])));
    // "i" also opens "is" and "it" (i ##s, i ##t); no clean word ends in d.
    expect(df).toEqual({ i: 2, watched: 0, this: 2, '3': 1, '##d': 0, movie: 1 });
    expect(r.summary).toMatch(/^"I watched this 3D movie" reads as 6 tokens: i, watched, this, 3 \+ ##d, movie; /);
    expect(r.summary).toContain('(i: in 2 of 3 training texts, this: in 2, 3: in 1, movie: in 1), never watched, ##d');
    expect(describeTrigger(tok, badnet('mn'), ['zz top']).summary).toBe('"mn" is split into m + ##n; none of these pieces occurs in the clean training text');
  });

  it('a rewrite reports its template words; an empty trigger says so', () => {
    const tok = Tokenizer.fromTexts(['when you see it , fine'], { vocabSize: 50 });
    const r = describeTrigger(tok, { kind: 'syntactic', trigger: '', position: 'random' });
    expect(r.words.map((w) => w.word)).toEqual(['when', 'you', 'see', 'it', ',']);
    expect(r.summary).toBe('"when you see it ," is 5 tokens of the vocabulary, one per word');
    expect(describeTrigger(tok, badnet('  ')).summary).toBe('The trigger is empty: it adds no tokens');
  });

  it('the report is plain data (it travels in results.json)', () => {
    const tok = wordpiece([...alphabet, 'mn']);
    const r = describeTrigger(tok, badnet('mn cf'), clean);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
