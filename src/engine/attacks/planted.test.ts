import { describe, expect, it } from 'vitest';
import { attackRecord, notPlantedMessage, PLANTED_ASR, plantThreshold, reachedUntilAsr, skipsDefenses } from './planted';

describe('whether the attack planted its backdoor', () => {
  it('stops poisoning at the first dev ASR at or over untilAsr, never with untilAsr 0', () => {
    expect(reachedUntilAsr({ epoch: 1, devAsr: 0.9 }, 0.95)).toBe(false);
    expect(reachedUntilAsr({ epoch: 1, devAsr: 0.95 }, 0.95)).toBe(true);
    expect(reachedUntilAsr({ epoch: 1, devAsr: 1 }, 0)).toBe(false);
    expect(reachedUntilAsr({ epoch: 1 }, 0.5)).toBe(false); // a stage that measures no dev ASR never stops early
  });

  it('trains at least minEpochs before the bar may stop it', () => {
    expect(reachedUntilAsr({ epoch: 3, devAsr: 1 }, 0.95, 4)).toBe(false);
    expect(reachedUntilAsr({ epoch: 4, devAsr: 1 }, 0.95, 4)).toBe(true);
    expect(reachedUntilAsr({ epoch: 5, devAsr: 0.9 }, 0.95, 4)).toBe(false);
  });

  it('records the last epoch against untilAsr, or against the official 0.95 with fixed epochs', () => {
    expect(plantThreshold(0.8)).toBe(0.8);
    expect(plantThreshold(0)).toBe(PLANTED_ASR);
    expect(attackRecord([{ devAsr: 0.5 }, { devAsr: 0.85 }], 0.8)).toEqual({ planted: true, devAsr: 0.85, epochs: 2, threshold: 0.8 });
    expect(attackRecord([{ devAsr: 0.9 }, { devAsr: 0.71 }], 0.95)).toEqual({ planted: false, devAsr: 0.71, epochs: 2, threshold: 0.95 });
    expect(attackRecord([{ devAsr: 0.9 }], 0)).toEqual({ planted: false, devAsr: 0.9, epochs: 1, threshold: 0.95 });
  });

  it('skips the defenses only when the user asked to poison until planted', () => {
    const failed = attackRecord([{ devAsr: 0.71 }], 0.95);
    expect(skipsDefenses(failed, 0.95)).toBe(true);
    expect(skipsDefenses(attackRecord([{ devAsr: 0.71 }], 0), 0)).toBe(false);
    expect(skipsDefenses(attackRecord([{ devAsr: 0.96 }], 0.95), 0.95)).toBe(false);
  });

  it('says in plain words what failed and what to change', () => {
    const failed = { planted: false, devAsr: 0.71, epochs: 6, threshold: 0.95 };
    expect(notPlantedMessage(failed, true)).toBe(
      'The attack did not plant a backdoor: dev ASR 71.0 % after 6 epochs (needs 95 %). Defenses are not compared on a failed attack; raise poison.epochs, the poison budget or poison.lr.',
    );
    expect(notPlantedMessage(failed, false)).toMatch(/defenses run anyway \(poison\.untilAsr 0/);
  });
});
