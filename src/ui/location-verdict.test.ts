import { describe, expect, it } from 'vitest';
import { locationVerdict, removedShare } from './location-verdict';

const poisoned = { ca: 0.93, asr: 1, asrBase: 0.1 };
const probe = (part: string, asr: number) => ({ part, ca: 0.93, asr, asrBase: 0.1 });

describe('locationVerdict', () => {
  it('names the part whose reset takes the ASR to the floor', () => {
    const v = locationVerdict([probe('trigger rows', 0.98), probe('block 1', 0.14), probe('block 2', 0.9), probe('head', 1)], poisoned, 0.12);
    expect(v.holder).toBe('block 1');
    expect(v.sentence).toBe('Resetting transformer layer 1 alone removes the backdoor (ASR 100.0% → 14.0%, the clean model’s 12.0% is the floor): that is where it is stored.');
  });

  it('says how much the best part removes when no part holds it all', () => {
    const v = locationVerdict([probe('block 1', 0.55), probe('block 2', 0.98)], poisoned, 0.1);
    expect(v.holder).toBe('block 1');
    expect(v.sentence).toBe('No single part holds all of it: resetting transformer layer 1 removes 50 % of it (ASR 100.0% → 55.0%); the rest is spread over the other parts.');
  });

  it('says the backdoor is spread when no reset moves it, and that there is none when the ASR is at the floor', () => {
    expect(locationVerdict([probe('block 1', 0.95), probe('head', 1)], poisoned, 0.1)).toEqual({ sentence: expect.stringMatching(/spread across the network/), holder: null });
    expect(locationVerdict([probe('block 1', 0.1)], { ...poisoned, asr: 0.11 }, 0.1).sentence).toMatch(/no backdoor to locate/);
  });

  it('measures the share removed against the floor, clipped to 0..1', () => {
    expect(removedShare(probe('b', 0.55), poisoned, 0.1)).toBeCloseTo(0.5, 10);
    expect(removedShare(probe('b', 0.05), poisoned, 0.1)).toBe(1);
    expect(removedShare(probe('b', 1), poisoned, null)).toBe(0);
  });
});
