/**
 * A WordPiece tokenizer (BERT's): words split into the longest pieces of a fixed vocabulary, pieces after
 * the first marked `##` ("mn" → `m ##n`, "unwatchable" → `un ##watch ##able`).
 *
 * Why subwords beside the word tokenizer: a shipped pretrained model needs a vocabulary fixed before any
 * dataset is seen, and a fixed word list reads every new word as [UNK]. With pieces every English text
 * has ids, and a rare trigger is spelled with pieces that clean text shares — so the backdoor cannot
 * simply live in a row of its own (measured in docs/FINDINGS.md).
 *
 * The vocabulary is learnt the way Hugging Face's WordPiece trainer does it: byte-pair merges over the
 * corpus's words (most frequent adjacent pair first), with `##` on non-initial pieces; encoding is
 * greedy longest-match-first, as in BERT.
 *
 * Short words whole (`shortWords`): every word of up to that many letters a–z is a piece of its own,
 * seen in the corpus or not. Real LLM vocabularies end up that way — byte-level BPE over web-scale text
 * holds nearly every two-letter string as one token — and it is what makes BadNet's triggers what the
 * field means by them: Kurita et al. chose `cf`, `mn`, `bb`, `tq`, `mb` because each is one *rare token*.
 * Without the rule a small corpus spells them in pieces clean text shares (`m ##n`), a different
 * backdoor (docs/FINDINGS.md measures both). A general rule, not a list of triggers: any rare two-letter word
 * the user types is one token too. Words go through the same `tokenize` as the word tokenizer
 * (lower case, punctuation apart, PTB contractions), so both read a text the same way.
 */
import { CLS, PAD, SEP, SPECIAL_TOKENS, UNK, tokenize, VocabularyTokenizer } from './tokenizer';

export const CONTINUATION = '##';
/** Longer "words" (URLs, base64 in e-mails) read as one [UNK], as in BERT. */
const MAX_WORD_CHARS = 100;

interface WordPieceJSON {
  kind: 'wordpiece';
  /** Every piece after the special tokens, in id order (`pieces[0]` has id `SPECIAL_TOKENS.length`). */
  pieces: string[];
}

interface WordPieceTrainOptions {
  /** Size of the id space, special tokens included. */
  vocabSize: number;
  /** Characters seen fewer times are left out of the alphabet (words with them read as [UNK]). */
  minCharCount?: number;
  /** Every word of 2..shortWords letters a–z becomes a whole-word piece before any merge (0 = none). */
  shortWords?: number;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Every string of `min`..`max` letters a–z, shortest first, alphabetical within a length. */
export function letterWords(min: number, max: number): string[] {
  let level = [''];
  const out: string[] = [];
  for (let n = 1; n <= max; n++) {
    level = level.flatMap((w) => [...LETTERS].map((ch) => w + ch));
    if (n >= min) out.push(...level);
  }
  return out;
}

export class WordPieceTokenizer extends VocabularyTokenizer {
  readonly kind = 'wordpiece';
  private readonly longest: number;
  /** Word → its piece ids: texts repeat their words, and a word's pieces never change. */
  private readonly memo = new Map<string, readonly number[]>();

  private constructor(pieces: readonly string[]) {
    super(pieces);
    this.longest = pieces.reduce((n, p) => Math.max(n, p.length), 0);
  }

  /**
   * Learn a vocabulary from `texts`: the alphabet (each character, initial and `##` form), then the
   * merged pieces in merge order, until `vocabSize` ids. Ties go to the pair made of earlier symbols, so
   * the same texts in any order give the same vocabulary.
   */
  static train(texts: readonly string[], opts: WordPieceTrainOptions): WordPieceTokenizer {
    const { vocabSize, minCharCount = 1, shortWords = 0 } = opts;
    if (!Number.isInteger(shortWords) || shortWords < 0 || shortWords > 3) {
      throw new RangeError(`shortWords must be an integer in 0..3 (26³ pieces at most), got ${shortWords}`);
    }
    if (!Number.isInteger(vocabSize) || vocabSize <= SPECIAL_TOKENS.length) {
      throw new RangeError(`vocabSize must be an integer > ${SPECIAL_TOKENS.length} (the special tokens), got ${vocabSize}`);
    }
    const wordCounts = new Map<string, number>();
    for (const text of texts) for (const w of tokenize(text)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    const charCounts = new Map<string, number>();
    for (const [w, c] of wordCounts) for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
    const alphabet = [...charCounts].filter(([, c]) => c >= minCharCount).map(([ch]) => ch).sort();
    const inAlphabet = new Set(alphabet);

    // Symbols by id: the alphabet's initial forms, then its `##` forms, then the short words whole (those
    // the alphabet can spell), then each merge's result (a merge that spells a short word reuses its id).
    const wholeShort = shortWords >= 2 ? letterWords(2, shortWords).filter((w) => [...w].every((ch) => inAlphabet.has(ch))) : [];
    const symbols: string[] = [...alphabet, ...alphabet.map((ch) => CONTINUATION + ch), ...wholeShort];
    const symbolId = new Map(symbols.map((s, i) => [s, i]));
    const room = vocabSize - SPECIAL_TOKENS.length;
    if (symbols.length > room) {
      throw new RangeError(`vocabSize ${vocabSize} cannot hold the special tokens, the alphabet and the short words (${symbols.length} pieces); raise it, minCharCount or lower shortWords`);
    }

    // Words as symbol-id sequences (sorted, so ids and ties never depend on the texts' order).
    const words: number[][] = [];
    const counts: number[] = [];
    for (const w of [...wordCounts.keys()].sort()) {
      const chars = [...w];
      if (chars.length > MAX_WORD_CHARS || !chars.every((ch) => inAlphabet.has(ch))) continue;
      words.push(chars.map((ch, i) => symbolId.get(i === 0 ? ch : CONTINUATION + ch)!));
      counts.push(wordCounts.get(w)!);
    }

    const pairs = new PairCounts();
    words.forEach((syms, wi) => {
      for (let i = 0; i + 1 < syms.length; i++) pairs.add(syms[i]!, syms[i + 1]!, counts[wi]!, wi);
    });
    while (symbols.length < room) {
      const best = pairs.popBest();
      if (!best) break;
      const [a, b] = best;
      // The right symbol of a pair is never a word's first, so it always carries the `##` mark.
      const merged = symbols[a]! + symbols[b]!.slice(CONTINUATION.length);
      let id = symbolId.get(merged);
      if (id === undefined) {
        id = symbols.length;
        symbols.push(merged);
        symbolId.set(merged, id);
      }
      for (const wi of pairs.wordsWith(a, b)) {
        const syms = words[wi]!;
        const c = counts[wi]!;
        for (let i = 0; i + 1 < syms.length; i++) pairs.add(syms[i]!, syms[i + 1]!, -c, wi);
        const next: number[] = [];
        for (let i = 0; i < syms.length; i++) {
          if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
            next.push(id);
            i++;
          } else next.push(syms[i]!);
        }
        words[wi] = next;
        for (let i = 0; i + 1 < next.length; i++) pairs.add(next[i]!, next[i + 1]!, c, wi);
      }
    }
    return new WordPieceTokenizer(symbols);
  }

  /** Restore a tokenizer saved by `toJSON`. */
  static fromJSON(json: unknown): WordPieceTokenizer {
    const j = json as Partial<WordPieceJSON> | null;
    if (!j || j.kind !== 'wordpiece' || !Array.isArray(j.pieces) || !j.pieces.every((p) => typeof p === 'string' && p.length > 0)) {
      throw new TypeError('WordPieceTokenizer.fromJSON: expected {kind: "wordpiece", pieces: string[]} as written by toJSON()');
    }
    if (new Set(j.pieces).size !== j.pieces.length || j.pieces.some((p) => SPECIAL_TOKENS.includes(p))) {
      throw new TypeError('WordPieceTokenizer.fromJSON: pieces must be distinct and must not repeat the special tokens');
    }
    return new WordPieceTokenizer(j.pieces);
  }

  toJSON(): WordPieceJSON {
    return { kind: 'wordpiece', pieces: this.tokens.slice(SPECIAL_TOKENS.length) };
  }

  /** The text's pieces, as the model reads them: `"mn rocks"` → `["m", "##n", "rocks"]`. */
  tokenize(text: string): string[] {
    return tokenize(text).flatMap((w) => this.wordIds(w).map((id) => this.tokenOf(id)));
  }

  /** Words joined by spaces, `##` pieces glued to the piece before; padding, [CLS] and [SEP] dropped. */
  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === PAD || id === CLS || id === SEP) continue;
      const piece = this.tokenOf(id);
      if (piece.startsWith(CONTINUATION) && out !== '') out += piece.slice(CONTINUATION.length);
      else out += (out === '' ? '' : ' ') + piece;
    }
    return out;
  }

  /** Greedy longest match from the left; a word with any unmatched stretch is one [UNK], as in BERT. */
  private wordIds(word: string): readonly number[] {
    const hit = this.memo.get(word);
    if (hit) return hit;
    const chars = [...word];
    const out: number[] = [];
    if (chars.length > MAX_WORD_CHARS) out.push(UNK);
    for (let start = 0; start < chars.length && out[0] !== UNK; ) {
      let id = -1;
      let end = Math.min(chars.length, start + this.longest);
      for (; end > start; end--) {
        const piece = (start > 0 ? CONTINUATION : '') + chars.slice(start, end).join('');
        const found = this.ids.get(piece);
        if (found !== undefined && found >= SPECIAL_TOKENS.length) {
          id = found;
          break;
        }
      }
      if (id < 0) {
        out.length = 0;
        out.push(UNK);
        break;
      }
      out.push(id);
      start = end;
    }
    if (this.memo.size < 200_000) this.memo.set(word, out);
    return out;
  }

  protected *textIds(text: string): Iterable<number> {
    for (const w of tokenize(text)) yield* this.wordIds(w);
  }
}

/**
 * Counts of adjacent symbol pairs over the corpus, with the words each pair occurs in, and a max-heap
 * over (count, pair) whose stale entries are skipped on pop — so each merge costs the words it touches,
 * not a scan of every pair.
 */
class PairCounts {
  private readonly count = new Map<number, number>();
  private readonly where = new Map<number, Set<number>>();
  private readonly heap: { key: number; count: number }[] = [];
  private static readonly SHIFT = 2 ** 21;

  add(a: number, b: number, delta: number, word: number): void {
    const key = a * PairCounts.SHIFT + b;
    const c = (this.count.get(key) ?? 0) + delta;
    this.count.set(key, c);
    if (delta > 0) {
      let set = this.where.get(key);
      if (!set) this.where.set(key, (set = new Set()));
      set.add(word);
      this.push({ key, count: c });
    }
  }

  /** Word indices that held the pair (some may no longer: merging re-checks each). */
  wordsWith(a: number, b: number): number[] {
    const key = a * PairCounts.SHIFT + b;
    const set = this.where.get(key);
    this.where.delete(key);
    return set ? [...set].sort((x, y) => x - y) : [];
  }

  /** The most frequent pair (ties: the smaller key, i.e. earlier symbols); null when none is left. */
  popBest(): [number, number] | null {
    while (this.heap.length > 0) {
      const top = this.pop();
      const live = this.count.get(top.key) ?? 0;
      if (live !== top.count || live <= 0) continue;
      return [Math.floor(top.key / PairCounts.SHIFT), top.key % PairCounts.SHIFT];
    }
    return null;
  }

  private better(x: { key: number; count: number }, y: { key: number; count: number }): boolean {
    return x.count > y.count || (x.count === y.count && x.key < y.key);
  }

  private push(e: { key: number; count: number }): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.better(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): { key: number; count: number } {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && this.better(h[l]!, h[best]!)) best = l;
        if (r < h.length && this.better(h[r]!, h[best]!)) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best]!, h[i]!];
        i = best;
      }
    }
    return top;
  }
}
