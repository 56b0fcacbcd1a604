import { describe, expect, it } from 'vitest';
import { CLS, PAD, SPECIAL_TOKENS, UNK, tokenize } from './tokenizer';
import { letterWords, WordPieceTokenizer } from './wordpiece';

const corpus = [
  'the film is watchable , the cast is watching the watchers',
  'a watched pot never boils ; unwatchable films are unwatched',
  'i watched this movie and i am watching it again',
  'hymns and columns : the autumn of the damned',
];

describe('WordPieceTokenizer.train', () => {
  it('starts from the alphabet, initial and ## forms, then adds merges by frequency', () => {
    const tok = WordPieceTokenizer.train(['aaab aab'], { vocabSize: 100 });
    // Alphabet a, b (initial), ##a, ##b; pairs: (a,##a) ×3 is the most frequent, giving "aa".
    expect(tok.toJSON().pieces.slice(0, 5)).toEqual(['a', 'b', '##a', '##b', 'aa']);
    expect(tok.tokenize('aab')).toEqual(tok.tokenize('aab')); // memo gives the same answer twice
    expect(tok.vocabSize).toBeLessThanOrEqual(100);
  });

  it('learns whole frequent words and splits rare ones into pieces clean text shares', () => {
    const tok = WordPieceTokenizer.train(corpus, { vocabSize: 120 });
    expect(tok.tokenize('the')).toEqual(['the']);
    const pieces = tok.tokenize('mn');
    expect(pieces.length).toBeGreaterThan(1); // "mn" is no word of the corpus, only "##mn" inside words
    expect(pieces.join('').replace(/##/g, '')).toBe('mn');
  });

  it('with shortWords 2, every two-letter word over its alphabet is one token, seen in the corpus or not', () => {
    const full = [...corpus, 'abcdefghijklmnopqrstuvwxyz'];
    const tok = WordPieceTokenizer.train(full, { vocabSize: 900, shortWords: 2 });
    for (const w of ['mn', 'cf', 'bb', 'tq', 'mb', 'zz', 'of']) {
      expect(tok.tokenize(w), w).toEqual([w]);
      expect(tok.decode(tok.encode(w, 4))).toBe(w); // round trip: [CLS] w [PAD] [PAD]
    }
    // Longer words still read as pieces, and the rule changes no other word's spelling of letters.
    expect(tok.tokenize('mnemonic').join('').replace(/##/g, '')).toBe('mnemonic');
    expect(tok.tokenize('mn mn')).toEqual(['mn', 'mn']);
    // 676 two-letter pieces, placed after the alphabet and before any merge.
    const pieces = tok.toJSON().pieces;
    const alphabetSize = pieces.findIndex((p) => p === 'aa');
    expect(pieces.slice(alphabetSize, alphabetSize + 676)).toEqual(letterWords(2, 2));
  });

  it('letterWords lists every word of the lengths asked, shortest first', () => {
    expect(letterWords(1, 1)).toHaveLength(26);
    expect(letterWords(2, 2)).toHaveLength(676);
    expect(letterWords(1, 2).slice(24, 29)).toEqual(['y', 'z', 'aa', 'ab', 'ac']);
    expect(() => WordPieceTokenizer.train(corpus, { vocabSize: 900, shortWords: 4 })).toThrow(/shortWords/);
  });

  it('is deterministic whatever the text order, and stops at vocabSize', () => {
    const a = WordPieceTokenizer.train(corpus, { vocabSize: 80 });
    const b = WordPieceTokenizer.train([...corpus].reverse(), { vocabSize: 80 });
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(a.vocabSize).toBe(80);
  });

  it('refuses a vocabulary too small for its alphabet', () => {
    expect(() => WordPieceTokenizer.train(corpus, { vocabSize: 10 })).toThrow(/alphabet/);
    expect(() => WordPieceTokenizer.train(corpus, { vocabSize: 3 })).toThrow(/special tokens/);
  });
});

describe('WordPieceTokenizer encoding', () => {
  const tok = WordPieceTokenizer.train(corpus, { vocabSize: 150 });

  it('round-trips any text over its alphabet: decode(encode(text)) reads as the text’s words', () => {
    const texts = ["I watched this 3D movie? no...", 'mn unwatchable hymn', 'the damned watchers', "it's not what they've"];
    for (const text of texts) {
      const letters = tokenize(text).filter((w) => [...w].every((ch) => tok.idOf(ch) !== UNK));
      const clean = letters.join(' ');
      expect(tok.decode(tok.encode(clean, 64))).toBe(clean);
    }
  });

  it('pieces of a word spell the word, ## marks every piece but the first', () => {
    for (const word of ['unwatchable', 'watchers', 'autumn', 'columns', 'mn']) {
      const pieces = tok.tokenize(word);
      expect(pieces[0]!.startsWith('##')).toBe(false);
      expect(pieces.slice(1).every((p) => p.startsWith('##'))).toBe(true);
      expect(pieces.map((p) => p.replace(/^##/, '')).join('')).toBe(word);
    }
  });

  it('reads a word with an unknown character as one [UNK], and lays out [CLS] ids PAD', () => {
    const ids = tok.encode('the ωatch the', 6);
    expect(Array.from(ids)).toEqual([CLS, tok.idOf('the'), UNK, tok.idOf('the'), PAD, PAD]);
    const batch = tok.encodeBatch(['the', 'the the'], 3);
    expect(Array.from(batch)).toEqual([CLS, tok.idOf('the'), PAD, CLS, tok.idOf('the'), tok.idOf('the')]);
    // Truncation cuts between pieces, never past maxLength.
    expect(tok.encode('unwatchable unwatchable', 3).length).toBe(3);
  });

  it('survives toJSON / fromJSON with the same ids, and refuses malformed JSON', () => {
    const back = WordPieceTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    const text = 'i watched the unwatchable hymns';
    expect(Array.from(back.encode(text, 16))).toEqual(Array.from(tok.encode(text, 16)));
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(() => WordPieceTokenizer.fromJSON({ kind: 'word', words: [] })).toThrow(/wordpiece/);
    expect(() => WordPieceTokenizer.fromJSON({ kind: 'wordpiece', pieces: ['a', 'a'] })).toThrow(/distinct/);
    expect(() => WordPieceTokenizer.fromJSON({ kind: 'wordpiece', pieces: [SPECIAL_TOKENS[0]] })).toThrow(/special/);
  });
});
