/**
 * Input-side defenses: a screen in front of the unchanged poisoned student. Each input either passes
 * (possibly rewritten, as ONION removes words) or is rejected (STRIP), and says why.
 *
 * Metrics after filtering count every input: a rejected clean input is a lost correct answer (CA falls
 * by the false rejections), a rejected triggered input is a failed attack. So CA = accepted and correct
 * over all clean inputs, ASR = accepted and called the target over all triggered inputs, and the floor
 * the same on the untriggered copies.
 */
import type { FilterOutcome, Metrics } from '../events';

export interface Screened {
  /** What the model is shown: the input, or ONION's cleaned version. */
  text: string;
  /** The filter changed or rejected the input: ONION removed a word, STRIP found it suspicious. */
  flagged: boolean;
  /** STRIP turns flagged inputs away; ONION passes every input on, cleaned. */
  rejected: boolean;
  /** Why, for people: the words removed and their scores, or the entropy against the threshold. */
  note: string;
  /** The words ONION removed, in order. */
  removed?: string[];
}

export interface InputFilter {
  /** Each text's verdict, in order; an aborted `signal` stops between inputs. */
  screen(texts: readonly string[], signal?: AbortSignal): Promise<Screened[]>;
}

/** One screened evaluation set: the filter's verdicts and the model's predictions on what passed. */
interface ScreenedSet {
  screened: readonly Screened[];
  /** The model's label for each screened text (rejected ones included; they are not counted as answers). */
  predicted: ArrayLike<number>;
}

/**
 * CA, ASR and the floor after filtering, with the false-rejection rate (clean inputs flagged) and the
 * detection rate (triggered inputs flagged).
 */
export function filterMetrics(
  clean: ScreenedSet & { labels: ArrayLike<number> },
  triggered: ScreenedSet,
  base: ScreenedSet,
  targetLabel: number,
): Metrics & Pick<FilterOutcome, 'falseRejection' | 'detection'> {
  const share = (n: number, total: number) => (total === 0 ? 0 : n / total);
  const count = (s: ScreenedSet, keep: (i: number) => boolean) => s.screened.reduce((n, x, i) => n + (!x.rejected && keep(i) ? 1 : 0), 0);
  const flagged = (s: ScreenedSet) => s.screened.filter((x) => x.flagged).length;
  return {
    ca: share(count(clean, (i) => clean.predicted[i] === clean.labels[i]), clean.screened.length),
    asr: share(count(triggered, (i) => triggered.predicted[i] === targetLabel), triggered.screened.length),
    asrBase: share(count(base, (i) => base.predicted[i] === targetLabel), base.screened.length),
    falseRejection: share(flagged(clean), clean.screened.length),
    detection: share(flagged(triggered), triggered.screened.length),
  };
}
