import { describe, expect, it } from 'vitest';
import { tooltipRows } from './chart-tooltip-rows';

const poisonedFinal = { ca: 0.93, asr: 0.99, asrBase: 0.04 };
const figures = {
  series: {
    poisoned: [
      { epoch: 1, ca: 0.9, asr: 0.8, asrBase: 0.05 },
      { epoch: 2, ca: 0.93, asr: 0.99, asrBase: 0.04 },
    ],
    w2sdefense: [{ epoch: 1, ca: 0.94, asr: 0.3, asrBase: 0.03 }],
    lora: [],
  },
  finals: { poisoned: poisonedFinal, onion: { ca: 0.7, asr: 0.5, asrBase: 0.2 } },
};

describe('the charts’ tooltip rows', () => {
  it('gives each method its CA, ASR and floor at the epoch, in the order asked', () => {
    expect(tooltipRows(1, ['poisoned', 'w2sdefense'], figures)).toEqual([
      { method: 'poisoned', ca: 0.9, asr: 0.8, asrBase: 0.05, flat: false },
      { method: 'w2sdefense', ca: 0.94, asr: 0.3, asrBase: 0.03, flat: false },
    ]);
  });

  it('starts a defense at epoch 0 from the poisoned model, as its line does, once the defense has an epoch', () => {
    expect(tooltipRows(0, ['poisoned', 'w2sdefense', 'lora'], figures)).toEqual([{ method: 'w2sdefense', ...poisonedFinal, flat: false }]);
  });

  it('leaves out a method without a figure at that epoch, and gives a filter its flat value after screening', () => {
    expect(tooltipRows(2, ['poisoned', 'w2sdefense', 'onion', 'strip'], figures)).toEqual([
      { method: 'poisoned', ca: 0.93, asr: 0.99, asrBase: 0.04, flat: false },
      { method: 'onion', ca: 0.7, asr: 0.5, asrBase: 0.2, flat: true },
    ]);
  });
});
