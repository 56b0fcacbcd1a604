/**
 * Which defense the results table crowns, by a rule a user would accept and the table states: a
 * defense is eligible when it keeps clean accuracy (at most `MAX_CA_LOSS` below the poisoned model's)
 * and, for an input filter, flags at most `MAX_FALSE_REJECTION` of clean inputs (a screen that mangles
 * or refuses ordinary sentences is not a defense a user keeps); among those, the highest
 * CA − ASR − false rejections wins, and only if it beats the poisoned model's own CA − ASR.
 */
import type { Metrics } from '../engine/events';
import type { FinalMetrics } from './run-state';
import { isDefense, type Method } from './methods';

export const MAX_CA_LOSS = 0.05;
export const MAX_FALSE_REJECTION = 0.1;

/** The rule in one sentence, for the table's caption. */
export const BEST_DEFENSE_RULE =
  `the best defense is the one with the highest CA − ASR − clean inputs flagged, among those that lose at most ${MAX_CA_LOSS * 100} points of CA and flag at most ${MAX_FALSE_REJECTION * 100} % of clean inputs`;

export function bestDefense(rows: readonly { method: Method; metrics: FinalMetrics }[], poisoned: Metrics | undefined): Method | null {
  if (!poisoned) return null;
  let best: { method: Method; score: number } | null = null;
  for (const { method, metrics } of rows) {
    if (!isDefense(method)) continue;
    const rejected = metrics.filter?.falseRejection ?? 0;
    if (metrics.ca < poisoned.ca - MAX_CA_LOSS - 1e-9 || rejected > MAX_FALSE_REJECTION) continue;
    const score = metrics.ca - metrics.asr - rejected;
    if (score <= poisoned.ca - poisoned.asr) continue;
    if (!best || score > best.score) best = { method, score };
  }
  return best?.method ?? null;
}
