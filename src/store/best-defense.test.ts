import { describe, expect, it } from 'vitest';
import { bestDefense } from './best-defense';
import type { FinalMetrics } from './run-state';
import type { Method } from './methods';

const m = (ca: number, asr: number, falseRejection?: number): FinalMetrics => ({
  ca,
  asr,
  asrBase: 0.1,
  ...(falseRejection !== undefined ? { filter: { falseRejection, detection: 1, clean: 100, triggered: 100, threshold: 0, unfiltered: { ca, asr: 1, asrBase: 0.1 } } } : {}),
});
const poisoned = { ca: 0.93, asr: 1, asrBase: 0.1 };
const rows = (r: Partial<Record<Method, FinalMetrics>>) => Object.entries(r).map(([method, metrics]) => ({ method: method as Method, metrics: metrics! }));

describe('bestDefense', () => {
  it('crowns the highest CA − ASR among the defenses that keep accuracy', () => {
    expect(bestDefense(rows({ poisoned: m(0.93, 1), lora: m(0.94, 0.9), w2sdefense: m(0.94, 0.25) }), poisoned)).toBe('w2sdefense');
  });

  it('passes over a repair that loses more than 5 points of CA, however low its ASR', () => {
    expect(bestDefense(rows({ 'full-ft': m(0.85, 0.1), w2sdefense: m(0.93, 0.3) }), poisoned)).toBe('w2sdefense');
  });

  it('passes over a filter that flags more than 10 % of clean inputs, and counts the flags it makes', () => {
    expect(bestDefense(rows({ onion: m(0.93, 0.05, 1), w2sdefense: m(0.93, 0.3) }), poisoned)).toBe('w2sdefense');
    // 5 % flagged: eligible, and the flags count against it (0.93 − 0.2 − 0.05 < 0.93 − 0.22).
    expect(bestDefense(rows({ strip: m(0.93, 0.2, 0.05), w2sdefense: m(0.93, 0.22) }), poisoned)).toBe('w2sdefense');
  });

  it('crowns nothing when no defense does better than the poisoned model, or before it is known', () => {
    expect(bestDefense(rows({ lora: m(0.93, 1) }), poisoned)).toBeNull();
    expect(bestDefense(rows({ lora: m(0.95, 0.5) }), undefined)).toBeNull();
  });
});
