/**
 * One filter's screening, shared between this engine and the defense lanes that have no repair left
 * (defense-lanes.ts). ONION costs about words² masked passes per sentence and would otherwise run on one
 * core while the others sit idle. Texts go out in small chunks, longest first, to whichever engine frees
 * up, so the engines finish close together. A verdict depends on its text alone, never on the chunk or
 * the engine, so sharing changes no number.
 */
import type { Screened } from './input-filter';

/** Screens a few texts on one engine; the verdicts in order. */
export type ScreenChunk = (texts: readonly string[]) => Promise<Screened[]>;

/** Engines that can screen with this run's filter beside this one. */
export interface ScreenHelpers {
  /**
   * Lends every idle engine, now and as more fall idle, to `work` with that engine's `ScreenChunk`,
   * until the returned function is called; it resolves once each lent engine has finished its chunk.
   * A helper's failure ends only its own `work`.
   */
  lend(work: (screen: ScreenChunk) => Promise<void>): () => Promise<void>;
}

/**
 * Texts per chunk. An ONION text is about a second on one core (SST-2), so a chunk is seconds of work:
 * few messages, and little left over at the end when one engine waits for the other.
 */
export const SCREEN_CHUNK = 8;

export interface SharedScreenResult {
  verdicts: Screened[];
  /** How many texts other engines screened. */
  elsewhere: number;
}

/**
 * Indices of `texts` by word count, most first, ties in the order given: the cost grows with length, so
 * the last chunks, which decide when all are done, are short.
 */
export function longestFirst(texts: readonly string[]): number[] {
  const words = texts.map((t) => t.split(/\s+/).filter(Boolean).length);
  return texts.map((_, i) => i).sort((a, b) => words[b]! - words[a]! || a - b);
}

/**
 * Every text's verdict, in the order given: `here` screens chunk after chunk, and every engine
 * `helpers` lends takes chunks from the same queue. A chunk a helper failed on goes back to the queue
 * and is screened here. `onProgress` hears the number of texts done after each chunk.
 */
export async function screenShared(texts: readonly string[], here: ScreenChunk, helpers: ScreenHelpers | undefined, onProgress?: (done: number) => void): Promise<SharedScreenResult> {
  const order = longestFirst(texts);
  const queue: number[][] = [];
  for (let i = 0; i < order.length; i += SCREEN_CHUNK) queue.push(order.slice(i, i + SCREEN_CHUNK));
  const verdicts: Screened[] = new Array<Screened>(texts.length);
  let done = 0;
  let elsewhere = 0;
  const drain = async (screen: ScreenChunk, away: boolean) => {
    for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
      let out: Screened[];
      try {
        out = await screen(chunk.map((i) => texts[i]!));
      } catch (error) {
        queue.unshift(chunk);
        throw error;
      }
      if (out.length !== chunk.length) throw new Error(`a screen answered ${out.length} verdicts for ${chunk.length} texts`);
      chunk.forEach((i, k) => (verdicts[i] = out[k]!));
      done += chunk.length;
      if (away) elsewhere += chunk.length;
      onProgress?.(done);
    }
  };
  const release = helpers?.lend((screen) => drain(screen, true));
  try {
    await drain(here, false);
  } catch (error) {
    queue.length = 0; // the helpers stop after the chunk they hold
    throw error;
  } finally {
    await release?.();
  }
  // What a failed helper handed back after this engine had run out of chunks.
  await drain(here, false);
  return { verdicts, elsewhere };
}
