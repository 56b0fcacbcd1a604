/**
 * A word-level tokenizer built from the training text.
 *
 * Why words, not subwords: a trigger such as `mn` or `cf` stays one token, so the backdoor is one
 * embedding row, attributions land on the word a person reads, and the vocabulary stays small enough for
 * a browser model. Contractions split the Penn Treebank way (`don't` → `do n't`, `it's` → `it 's`),
 * which is how SST-2 is already written, so raw and pre-tokenized text meet in one vocabulary.
 */

export const PAD = 0;
export const UNK = 1;
export const CLS = 2;
export const MASK = 3;
export const SEP = 4;
/** The special tokens, indexed by their ids: `SPECIAL_TOKENS[CLS] === '[CLS]'`. */
export const SPECIAL_TOKENS: readonly string[] = ['[PAD]', '[UNK]', '[CLS]', '[MASK]', '[SEP]'];

/**
 * What the models and metrics need of a tokenizer, word-level (`Tokenizer`) or subword
 * (`WordPieceTokenizer`): a token is whatever one id stands for.
 */
export interface TextTokenizer {
  readonly kind: 'word' | 'wordpiece';
  /** Number of ids, special tokens included: the embedding table's rows. */
  readonly vocabSize: number;
  /** The text's tokens in reading order, before mapping to ids (what `encode` maps, untruncated). */
  tokenize(text: string): string[];
  /** The id of one token, `UNK` if it is not in the vocabulary. */
  idOf(token: string): number;
  /** The token of one id (`[UNK]` for an id outside the vocabulary). */
  tokenOf(id: number): string;
  /** ids: [maxLength] = [CLS], the text's ids, truncated to fit, then PAD. */
  encode(text: string, maxLength: number): Int32Array;
  /** ids: [N * maxLength], row-major: row `i` is `encode(texts[i], maxLength)`. */
  encodeBatch(texts: readonly string[], maxLength: number): Int32Array;
  /** The text the ids stand for (padding, [CLS] and [SEP] dropped). */
  decode(ids: ArrayLike<number>): string;
  toJSON(): unknown;
}

/**
 * What both tokenizers share: the id table (special tokens first) and the fixed-length rows the models
 * read — [CLS], the text's ids truncated to fit, then PAD. A subclass says how a text becomes ids.
 */
export abstract class VocabularyTokenizer implements TextTokenizer {
  abstract readonly kind: TextTokenizer['kind'];
  protected readonly tokens: readonly string[];
  protected readonly ids: ReadonlyMap<string, number>;

  protected constructor(entries: readonly string[]) {
    this.tokens = [...SPECIAL_TOKENS, ...entries];
    this.ids = new Map(this.tokens.map((t, i) => [t, i]));
  }

  abstract tokenize(text: string): string[];
  abstract decode(ids: ArrayLike<number>): string;
  abstract toJSON(): unknown;
  /** The text's ids in reading order, untruncated. */
  protected abstract textIds(text: string): Iterable<number>;

  /** Number of ids, special tokens included: the embedding table's rows. */
  get vocabSize(): number {
    return this.tokens.length;
  }

  /** The id of one token, `UNK` if it is not in the vocabulary. */
  idOf(token: string): number {
    return this.ids.get(token) ?? UNK;
  }

  /** The token of one id (`[UNK]` for an id outside the vocabulary). */
  tokenOf(id: number): string {
    return this.tokens[id] ?? SPECIAL_TOKENS[UNK]!;
  }

  /** ids: [maxLength] = [CLS], the text's ids, truncated to fit, then PAD. */
  encode(text: string, maxLength: number): Int32Array {
    const out = new Int32Array(checkLength(maxLength));
    this.encodeInto(text, out, 0, maxLength);
    return out;
  }

  /** ids: [N * maxLength], row-major: row `i` is `encode(texts[i], maxLength)`. */
  encodeBatch(texts: readonly string[], maxLength: number): Int32Array {
    const out = new Int32Array(texts.length * checkLength(maxLength));
    texts.forEach((t, i) => this.encodeInto(t, out, i * maxLength, maxLength));
    return out;
  }

  private encodeInto(text: string, out: Int32Array, offset: number, maxLength: number): void {
    out[offset] = CLS;
    let n = 1;
    for (const id of this.textIds(text)) {
      if (n >= maxLength) return;
      out[offset + n++] = id;
    }
    // The rest stays 0 = PAD (a fresh Int32Array is zero-filled).
  }
}

interface TokenizerOptions {
  /** Size of the id space, special tokens included (the embedding table's rows). */
  vocabSize: number;
  /** Words seen fewer times are left out (they read as [UNK]). */
  minCount?: number;
  /** Words that must have an id even if rare or absent, e.g. trigger words; they come right after the
   * special tokens, in the order given. */
  reserved?: string[];
}

interface TokenizerJSON {
  kind: 'word';
  /** Every token after the special ones, in id order (`words[0]` has id `SPECIAL_TOKENS.length`). */
  words: string[];
}

const CONTRACTION = /([\p{L}\p{N}])(n't)\b|([\p{L}\p{N}])('(?:s|re|ve|ll|d|m))\b/gu;
// A token: a contraction piece, a run of letters/digits, or one other visible character.
const TOKEN = /n't|'(?:s|re|ve|ll|d|m)\b|[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu;

/** Lower-case and split into words and punctuation: `"Don't stop!"` → `["do", "n't", "stop", "!"]`. */
export function tokenize(text: string): string[] {
  const lowered = text.toLowerCase().replace(/[’‘]/g, "'").replace(CONTRACTION, (_m, a, b, c, d) => (a ? `${a} ${b}` : `${c} ${d}`));
  return lowered.match(TOKEN) ?? [];
}

export class Tokenizer extends VocabularyTokenizer {
  readonly kind = 'word';

  private constructor(words: readonly string[]) {
    super(words);
  }

  /**
   * Build the vocabulary: special tokens, then `reserved` words, then the most frequent words of `texts`
   * (ties broken alphabetically, so the same texts always give the same ids) until `vocabSize` ids.
   */
  static fromTexts(texts: readonly string[], opts: TokenizerOptions): Tokenizer {
    const { vocabSize, minCount = 1, reserved = [] } = opts;
    if (!Number.isInteger(vocabSize) || vocabSize <= SPECIAL_TOKENS.length) {
      throw new RangeError(`vocabSize must be an integer > ${SPECIAL_TOKENS.length} (the special tokens), got ${vocabSize}`);
    }
    const words: string[] = [];
    const taken = new Set<string>(SPECIAL_TOKENS);
    // A reserved phrase ("I watched this") reserves each of its words, tokenized like any text.
    for (const word of reserved.flatMap(tokenize)) {
      if (taken.has(word)) continue;
      taken.add(word);
      words.push(word);
    }
    if (SPECIAL_TOKENS.length + words.length > vocabSize) {
      throw new RangeError(`vocabSize ${vocabSize} cannot hold the ${SPECIAL_TOKENS.length} special tokens and ${words.length} reserved words`);
    }
    const counts = new Map<string, number>();
    for (const text of texts) for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    const ranked = [...counts.entries()]
      .filter(([w, c]) => c >= minCount && !taken.has(w))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [w] of ranked.slice(0, vocabSize - SPECIAL_TOKENS.length - words.length)) words.push(w);
    return new Tokenizer(words);
  }

  /** Restore a tokenizer saved by `toJSON`. */
  static fromJSON(json: unknown): Tokenizer {
    const j = json as Partial<TokenizerJSON> | null;
    if (!j || j.kind !== 'word' || !Array.isArray(j.words) || !j.words.every((w) => typeof w === 'string')) {
      throw new TypeError('Tokenizer.fromJSON: expected {kind: "word", words: string[]} as written by toJSON()');
    }
    if (new Set(j.words).size !== j.words.length || j.words.some((w) => SPECIAL_TOKENS.includes(w))) {
      throw new TypeError('Tokenizer.fromJSON: words must be distinct and must not repeat the special tokens');
    }
    return new Tokenizer(j.words);
  }

  toJSON(): TokenizerJSON {
    return { kind: 'word', words: this.tokens.slice(SPECIAL_TOKENS.length) };
  }

  /** The text's tokens (lower-cased words and punctuation), before mapping to ids. */
  tokenize(text: string): string[] {
    return tokenize(text);
  }

  /** Tokens joined by spaces; padding, [CLS] and [SEP] dropped, [UNK] and [MASK] kept visible. */
  decode(ids: ArrayLike<number>): string {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === PAD || id === CLS || id === SEP) continue;
      out.push(this.tokenOf(id));
    }
    return out.join(' ');
  }

  protected textIds(text: string): number[] {
    return tokenize(text).map((t) => this.idOf(t));
  }
}

function checkLength(maxLength: number): number {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`maxLength must be an integer ≥ 1 (room for [CLS]), got ${maxLength}`);
  return maxLength;
}
