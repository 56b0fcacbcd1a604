/** The engine tests' tiny run on a slice of SST-2: small enough for WASM in seconds, big enough to plant a backdoor. */
import { applyPatch, type ExperimentConfig } from '../src/engine/config';
import { configFromPreset } from '../src/engine/presets';
import type { Dataset } from '../src/engine/data/types';
import { loadDataDir } from '../src/cli/node-data';

/** SST-2 as the paper uses it, read from ../shared (never copied into the project). */
export const SST2 = new URL('../../shared/data/sst2', import.meta.url).pathname;

/** Small enough for the CPU backend in well under a minute, strong enough to plant a BadNet backdoor. */
export const tinySst2 = (): ExperimentConfig =>
  applyPatch(configFromPreset('quick'), {
    seed: 7,
    // Word vocabulary, pretrained in the run: the tiny model and its thresholds below were measured so.
    data: { source: 'sst2', maxTrain: 1000, maxTest: 120, maxLength: 24, tokenizer: 'word', vocabSize: 1500, defenseFraction: 0.5 },
    attack: { kind: 'badnet', trigger: 'mn', labelMode: 'dirty', budgetKind: 'rate', budget: 0.3, targetLabel: 1, position: 'random' },
    models: { student: { layers: 1, dModel: 32, heads: 2, dFF: 64 }, teacher: { layers: 1, dModel: 16, heads: 2, dFF: 32 }, dropout: 0 },
    pretrain: { checkpoint: 'none', studentSteps: 10, teacherSteps: 5, lr: 1e-3, batchSize: 32, maskRate: 0.15, extraCorpus: 'none' },
    // The paper's recipe (full-FT poisoning of the pretrained student): it plants the backdoor in a tiny
    // model reliably (poisoned ASR > 0.9 on every run of this test since it was written).
    taskModel: { enabled: false },
    // Fixed epochs (untilAsr 0): these tests check mechanics, and every defense must run whatever the ASR.
    poison: { epochs: 6, lr: 3e-3, batchSize: 32, method: 'full', untilAsr: 0, minEpochs: 0 },
    teacher: { epochs: 2, lr: 5e-3, batchSize: 32 },
    defense: { epochs: 1, lr: 2e-3, batchSize: 32 },
  });

/**
 * SST-2 with every sixth test sentence (~300): ASR reads every triggered sentence of the test split, and the
 * engine tests check mechanics, not figures, so a smaller split keeps each epoch's evaluation short.
 */
export async function tinySst2Data(): Promise<Dataset> {
  const full = await loadDataDir(SST2, 7);
  return { ...full, test: full.test.filter((_, i) => i % 6 === 0) };
}
