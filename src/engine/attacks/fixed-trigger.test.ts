import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config';
import { withTrigger } from './fixed-trigger';

describe('withTrigger', () => {
  it('inserts the run’s trigger, the same way every time', () => {
    const attack = { ...DEFAULT_CONFIG.attack, trigger: 'mn', position: 'random' as const };
    const once = withTrigger('win a free prize now', attack);
    expect(once.split(' ')).toContain('mn');
    expect(once.split(' ')).toHaveLength(6);
    expect(withTrigger('win a free prize now', attack)).toBe(once);
  });

  it('puts it where the attack says', () => {
    const attack = { ...DEFAULT_CONFIG.attack, kind: 'insent' as const, trigger: 'I watched this 3D movie', position: 'end' as const };
    expect(withTrigger('great film', attack)).toBe('great film I watched this 3D movie');
  });
});
