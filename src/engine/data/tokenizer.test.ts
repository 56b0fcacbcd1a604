import { describe, expect, it } from 'vitest';
import { CLS, MASK, PAD, SEP, SPECIAL_TOKENS, Tokenizer, tokenize, UNK } from './tokenizer';

const texts = ['The film is great, great fun!', "It isn't great.", 'a dull film', 'the end'];

describe('tokenize', () => {
  it('lower-cases and splits words from punctuation', () => {
    expect(tokenize('The film is GREAT, great fun!')).toEqual(['the', 'film', 'is', 'great', ',', 'great', 'fun', '!']);
  });

  it('splits contractions the way SST-2 is written', () => {
    expect(tokenize("Don't — it's what we’ve got")).toEqual(['do', "n't", '—', 'it', "'s", 'what', 'we', "'ve", 'got']);
    // SST-2's own pre-split text reads the same.
    expect(tokenize("it 's not , they wo n't")).toEqual(['it', "'s", 'not', ',', 'they', 'wo', "n't"]);
  });

  it('keeps a rare trigger and a digit-letter word whole, and never makes a special token from text', () => {
    expect(tokenize('I watched this 3D movie mn')).toEqual(['i', 'watched', 'this', '3d', 'movie', 'mn']);
    expect(tokenize('[CLS]')).toEqual(['[', 'cls', ']']);
  });
});

describe('Tokenizer', () => {
  it('has fixed special ids', () => {
    expect([PAD, UNK, CLS, MASK, SEP]).toEqual([0, 1, 2, 3, 4]);
    expect(SPECIAL_TOKENS).toEqual(['[PAD]', '[UNK]', '[CLS]', '[MASK]', '[SEP]']);
    const tok = Tokenizer.fromTexts(texts, { vocabSize: 100 });
    expect(tok.tokenOf(CLS)).toBe('[CLS]');
    expect(tok.idOf('[PAD]')).toBe(PAD);
  });

  it('orders words by frequency, then alphabetically', () => {
    const tok = Tokenizer.fromTexts(texts, { vocabSize: 100 });
    // great ×3; film, is, the ×2 (ties alphabetical); then the singletons, alphabetical too.
    expect(tok.toJSON().words.slice(0, 6)).toEqual(['great', 'film', 'is', 'the', '!', ',']);
    const words = tok.toJSON().words;
    expect(words).toContain('a');
    expect(tok.vocabSize).toBe(SPECIAL_TOKENS.length + new Set(texts.flatMap(tokenize)).size);
  });

  it('is deterministic whatever the text order', () => {
    const a = Tokenizer.fromTexts(texts, { vocabSize: 10 });
    const b = Tokenizer.fromTexts([...texts].reverse(), { vocabSize: 10 });
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(a.vocabSize).toBe(10);
  });

  it('honours minCount', () => {
    const tok = Tokenizer.fromTexts(texts, { vocabSize: 100, minCount: 2 });
    expect(tok.toJSON().words).toEqual(['great', 'film', 'is', 'the']);
  });

  it('reserves rare words (triggers) right after the special tokens, even when the vocabulary is full', () => {
    // vocabSize 12 = 5 special + 7 reserved words: no room left for the corpus's own words.
    const tok = Tokenizer.fromTexts(texts, { vocabSize: 12, reserved: ['mn', 'I watched this 3D movie', 'great'] });
    expect(tok.toJSON().words).toEqual(['mn', 'i', 'watched', 'this', '3d', 'movie', 'great']);
    expect(() => Tokenizer.fromTexts(texts, { vocabSize: 7, reserved: ['a', 'b', 'c'] })).toThrow(/cannot hold/);
    const roomy = Tokenizer.fromTexts(texts, { vocabSize: 100, reserved: ['mn', 'great'] });
    expect(roomy.idOf('mn')).toBe(5);
    expect(roomy.idOf('great')).toBe(6);
    expect(roomy.encode('great mn', 4)).toEqual(Int32Array.from([CLS, 6, 5, PAD]));
  });

  it('encodes as [CLS] + ids, truncated and padded; unknown words read as UNK', () => {
    const tok = Tokenizer.fromTexts(texts, { vocabSize: 100 });
    const ids = tok.encode('great zebra', 5);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(Array.from(ids)).toEqual([CLS, tok.idOf('great'), UNK, PAD, PAD]);
    expect(Array.from(tok.encode('the film is great fun', 3))).toEqual([CLS, tok.idOf('the'), tok.idOf('film')]);
    expect(Array.from(tok.encode('', 3))).toEqual([CLS, PAD, PAD]);
    expect(() => tok.encode('x', 0)).toThrow(/maxLength/);
  });

  it('encodes a batch row-major, each row as encode() gives it', () => {
    const tok = Tokenizer.fromTexts(texts, { vocabSize: 100 });
    const batch = tok.encodeBatch(['the end', 'a dull film is great'], 4);
    expect(batch).toHaveLength(8);
    expect(Array.from(batch.subarray(0, 4))).toEqual(Array.from(tok.encode('the end', 4)));
    expect(Array.from(batch.subarray(4, 8))).toEqual(Array.from(tok.encode('a dull film is great', 4)));
    expect(tok.encodeBatch([], 4)).toHaveLength(0);
  });

  it('decodes back to the tokens, showing [UNK] and [MASK]', () => {
    const tok = Tokenizer.fromTexts(texts, { vocabSize: 100 });
    expect(tok.decode(tok.encode("It isn't great.", 10))).toBe("it is n't great .");
    expect(tok.decode([CLS, tok.idOf('the'), MASK, UNK, SEP, PAD])).toBe('the [MASK] [UNK]');
  });

  it('round-trips through JSON', () => {
    const tok = Tokenizer.fromTexts(texts, { vocabSize: 100, reserved: ['cf'] });
    const back = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(back.encodeBatch(texts, 8)).toEqual(tok.encodeBatch(texts, 8));
    expect(() => Tokenizer.fromJSON({ kind: 'word', words: ['a', 'a'] })).toThrow(/distinct/);
    expect(() => Tokenizer.fromJSON({ words: 3 })).toThrow(/toJSON/);
  });

  it('rejects a vocabulary too small for the special tokens', () => {
    expect(() => Tokenizer.fromTexts(texts, { vocabSize: 5 })).toThrow(/vocabSize must be an integer > 5/);
  });
});
