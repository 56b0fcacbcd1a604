/**
 * The shipped checkpoints are trained by PyTorch (scripts/pretrain_mlm.py), which writes the
 * architecture out a second time. This test loads each shipped file in the engine and reproduces the
 * masked-LM logits the builder recorded for it on a fixed batch (tests/fixtures/checkpoint-parity.json):
 * if the two architectures ever drift apart (a norm's epsilon, GELU's form, the head split, a
 * transposed weight), the shipped models would silently be other models, and this fails.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_DIR, openShippedFromDisk } from '../src/cli/shipped';
import { loadLanguageModel, type ShippedModels } from '../src/engine/models/checkpoint';
import { StudentModel } from '../src/engine/models/student';
import { TeacherModel } from '../src/engine/models/teacher';
import { Rng } from '../src/engine/rng';

interface Recorded {
  sha256: string;
  ids: number[][];
  positions: number[];
  columns: number[];
  logits: number[][];
  logSumExp: number[];
}

const FIXTURE = join(import.meta.dirname, 'fixtures', 'checkpoint-parity.json');
const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Recorded>;
/** fp32 in both engines; sums of 128 products in another order differ by ~1e-5. */
const TOLERANCE = 1e-3;

describe('shipped checkpoints reproduce the PyTorch builder’s logits', () => {
  let shipped: ShippedModels;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    shipped = await openShippedFromDisk(CHECKPOINT_DIR);
  });

  it('the fixture covers every shipped checkpoint, each of the shipped file’s hash', () => {
    expect(Object.keys(recorded).sort()).toEqual(shipped.manifest.checkpoints.map((c) => c.file.replace(/\.bin$/, '')).sort());
    for (const entry of shipped.manifest.checkpoints) expect(recorded[entry.file.replace(/\.bin$/, '')]!.sha256, entry.file).toBe(entry.sha256);
  });

  for (const name of Object.keys(recorded)) {
    it(`${name}: masked-LM logits on the recorded batch, to ${TOLERANCE}`, async () => {
      const r = recorded[name]!;
      const entry = shipped.manifest.checkpoints.find((c) => c.file === `${name}.bin`)!;
      const V = shipped.tokenizer.vocabSize;
      const T = r.ids[0]!.length;
      const rng = new Rng(1);
      const model = entry.role === 'student' ? new StudentModel(entry.size, V, T, 2, 0.1, rng) : new TeacherModel(entry.size, V, T, 2, entry.size.dModel, 0.1, rng);
      try {
        loadLanguageModel(model.languageModelParams(), await shipped.weights(entry));
        const logits = tf.tidy(() => model.mlmLogits(tf.tensor2d(r.ids, undefined, 'int32'), tf.tensor1d(r.positions, 'int32'), false));
        const lse = tf.tidy(() => tf.logSumExp(logits, 1));
        const got = (await logits.array()) as number[][];
        const gotLse = (await lse.array()) as number[];
        tf.dispose([logits, lse]);
        let worst = 0;
        r.positions.forEach((_, m) => {
          r.columns.forEach((col, j) => (worst = Math.max(worst, Math.abs(got[m]![col]! - r.logits[m]![j]!))));
          worst = Math.max(worst, Math.abs(gotLse[m]! - r.logSumExp[m]!));
        });
        expect(worst).toBeLessThan(TOLERANCE);
        // Not a vacuous match: the recorded logits vary across positions and columns.
        expect(Math.max(...r.logits.flat()) - Math.min(...r.logits.flat())).toBeGreaterThan(0.1);
      } finally {
        model.dispose();
      }
    });
  }
});
