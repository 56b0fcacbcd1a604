import { describe, expect, it } from 'vitest';
import { triggeredVerdict } from './feature-verdict';

describe('triggeredVerdict', () => {
  // Two spam sentences (label 1) and one ham (0), then the two spam ones with the trigger; the target is ham.
  const points = [
    { triggered: false, label: 1 },
    { triggered: false, label: 1 },
    { triggered: false, label: 0 },
    { triggered: true, label: 1 },
    { triggered: true, label: 1 },
  ];
  it('says the trigger works when it sends sentences to the target that go elsewhere without it', () => {
    expect(triggeredVerdict([1, 1, 0, 0, 0], points, 0, 'ham')).toEqual({ sent: 2, of: 2, without: 0, sentence: 'The trigger works here: 2 of 2 triggered sentences are read as ham (without the trigger: 0).' });
  });

  it('says it does little when the model reads the sentences as the target anyway, or not even with it', () => {
    expect(triggeredVerdict([0, 0, 0, 0, 0], points, 0, 'ham').sentence).toBe('The trigger does little here: 2 of 2 triggered sentences are read as ham (without the trigger: 2).');
    expect(triggeredVerdict([1, 1, 0, 1, 1], points, 0, 'ham').sentence).toMatch(/^The trigger does little here: 0 of 2/);
  });
});
