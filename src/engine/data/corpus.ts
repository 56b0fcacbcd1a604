/**
 * The unlabelled pool for language-model pretraining. Short texts (SST-2 sentences) pass as they are;
 * long ones (emails, book chapters, speeches) are cut into sentence-sized chunks, so a pretraining row of
 * 32-40 tokens holds whole sentences instead of the first line of a page.
 */

export interface ChunkOptions {
  /** Longest chunk, in words: about a pretraining row's length. */
  maxWords?: number;
  /** Shorter chunks are dropped: a lone "Chapter 3." teaches nothing. */
  minWords?: number;
}

// A sentence ends at . ! ? (and any closing quotes or brackets) followed by white space.
const SENTENCE_END = /(?<=[.!?]["'”’)\]]*)\s+/u;

/**
 * Sentence-ish chunks from `texts` and from `extra` (one long text, e.g. a book), in order: paragraphs
 * split at blank lines, then at sentence ends; consecutive sentences packed into one chunk while it stays
 * within `maxWords`; a sentence longer than that cut into `maxWords` windows. White space is collapsed.
 */
export function unlabelledSentences(texts: readonly string[], extra?: string, opts: ChunkOptions = {}): string[] {
  const { maxWords = 30, minWords = 3 } = opts;
  const out: string[] = [];
  const sources = extra ? [...texts, extra] : texts;
  for (const text of sources) {
    for (const paragraph of text.split(/\n\s*\n/)) {
      const words = paragraph.split(/\s+/).filter(Boolean);
      if (words.length === 0) continue;
      if (words.length <= maxWords) {
        push(out, words, minWords);
        continue;
      }
      let chunk: string[] = [];
      for (const sentence of paragraph.split(SENTENCE_END)) {
        const sw = sentence.split(/\s+/).filter(Boolean);
        if (chunk.length > 0 && chunk.length + sw.length > maxWords) {
          push(out, chunk, minWords);
          chunk = [];
        }
        if (sw.length > maxWords) {
          for (let i = 0; i < sw.length; i += maxWords) push(out, sw.slice(i, i + maxWords), minWords);
        } else {
          chunk.push(...sw);
        }
      }
      push(out, chunk, minWords);
    }
  }
  return out;
}

function push(out: string[], words: string[], minWords: number): void {
  if (words.length >= minWords) out.push(words.join(' '));
}
