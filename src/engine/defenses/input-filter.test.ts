import { describe, expect, it } from 'vitest';
import { filterMetrics, type Screened } from './input-filter';

const pass = (text = 't'): Screened => ({ text, flagged: false, rejected: false, note: '' });
const cleaned = (text = 't'): Screened => ({ text, flagged: true, rejected: false, note: '', removed: ['mn'] });
const reject = (text = 't'): Screened => ({ text, flagged: true, rejected: true, note: '' });

describe('filterMetrics', () => {
  it('counts a rejected input as a wrong answer and a failed attack, over every input', () => {
    const m = filterMetrics(
      // 4 clean: right, right but rejected, wrong, right and cleaned → 2 of 4 correct and accepted
      { screened: [pass(), reject(), pass(), cleaned()], predicted: [1, 0, 1, 0], labels: [1, 0, 0, 0] },
      // 4 triggered (target 1): called 1, called 1 but rejected, called 0, called 1 after cleaning → 2 of 4
      { screened: [pass(), reject(), pass(), cleaned()], predicted: [1, 1, 0, 1] },
      // the same sentences without the trigger: one called the target
      { screened: [pass(), pass(), pass(), pass()], predicted: [0, 0, 1, 0] },
      1,
    );
    expect(m).toEqual({ ca: 0.5, asr: 0.5, asrBase: 0.25, falseRejection: 0.5, detection: 0.5 });
  });

  it('is all zeros on empty sets', () => {
    const none = { screened: [], predicted: [] };
    expect(filterMetrics({ ...none, labels: [] }, none, none, 0)).toEqual({ ca: 0, asr: 0, asrBase: 0, falseRejection: 0, detection: 0 });
  });
});
