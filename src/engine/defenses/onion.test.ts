import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLS, MASK, Tokenizer } from '../data/tokenizer';
import { StudentModel } from '../models/student';
import { Rng } from '../rng';
import { onionFilter, pseudoPerplexities, splitByThreshold, studentScorer, suspicionScores, type MaskedScorer } from './onion';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A hand-made LM: log p(target) read from a table by target id (default log 0.5), recording every row it is asked. */
function tableScorer(logProbOf: Record<number, number>) {
  const rows: number[][] = [];
  const score: MaskedScorer = async (ids, rowLength, positions, targets) => {
    for (let r = 0; r < positions.length; r++) rows.push(Array.from(ids.subarray(r * rowLength, (r + 1) * rowLength)));
    return Float32Array.from(targets, (t) => logProbOf[t] ?? Math.log(0.5));
  };
  return { score, rows };
}

describe('pseudoPerplexities', () => {
  it('masks each token in turn behind [CLS] and takes exp of the mean negative log-probability', async () => {
    const { score, rows } = tableScorer({ 10: Math.log(0.25), 11: Math.log(0.5) });
    const [ppl] = await pseudoPerplexities(score, [Int32Array.from([10, 11])], 8);
    // exp(−(ln ¼ + ln ½)/2) = exp(ln 8 / 2) = √8
    expect(ppl).toBeCloseTo(Math.sqrt(8), 5);
    expect(rows).toEqual([
      [CLS, MASK, 11],
      [CLS, 10, MASK],
    ]);
  });

  it('scores several lists in one pass, each by its own tokens; an empty list has no perplexity', async () => {
    const { score } = tableScorer({ 7: Math.log(0.1) });
    const out = await pseudoPerplexities(score, [Int32Array.from([7]), Int32Array.from([]), Int32Array.from([8, 8, 8])], 8);
    expect(out[0]).toBeCloseTo(10, 4);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(2, 5);
  });

  it('scores only the tokens that fit the window', async () => {
    const { score, rows } = tableScorer({});
    await pseudoPerplexities(score, [Int32Array.from([5, 6, 7, 8])], 3);
    expect(rows).toEqual([
      [CLS, MASK, 6],
      [CLS, 5, MASK],
    ]);
  });
});

describe('ONION scores and removal', () => {
  it('scores a word by how much its deletion lowers the perplexity; removes those above the threshold', () => {
    const scores = suspicionScores(100, [90, 20, 101, Number.NaN]);
    expect(scores).toEqual([10, 80, -1, 0]);
    expect(splitByThreshold(['a', 'mn', 'film', 'x'], scores, 5)).toEqual({ kept: ['film', 'x'], removed: ['a', 'mn'] });
    expect(splitByThreshold(['a', 'mn', 'film', 'x'], scores, 50)).toEqual({ kept: ['a', 'film', 'x'], removed: ['mn'] });
  });

  it('removes the one outlier word when the LM finds it unlikely, and says why', async () => {
    const tokenizer = Tokenizer.fromTexts(['a good film', 'mn'], { vocabSize: 50 });
    const mn = tokenizer.idOf('mn');
    // Every word is likely except "mn"; with "mn" present the others get no worse.
    const { score } = tableScorer({ [mn]: Math.log(0.001) });
    const [out] = await onionFilter(score, tokenizer, 16, 0).screen(['a good mn film']);
    expect(out!.removed).toEqual(['mn']);
    expect(out!.text).toBe('a good film');
    expect(out!.flagged).toBe(true);
    expect(out!.rejected).toBe(false);
    expect(out!.note).toContain('“mn”');
    const [clean] = await onionFilter(score, tokenizer, 16, 0).screen(['a good film']);
    expect(clean).toMatchObject({ text: 'a good film', flagged: false, removed: [] });
  });
});

describe('studentScorer', () => {
  it('is the log-softmax of the tied MLM head at the masked position, for the target id', async () => {
    const lm = new StudentModel({ layers: 2, dModel: 8, heads: 2, dFF: 16 }, 20, 6, 2, 0, new Rng(3));
    const ids = Int32Array.from([CLS, MASK, 5, 0, CLS, 4, MASK, 0]);
    const got = await studentScorer(lm)(ids, 4, Int32Array.from([1, 2]), Int32Array.from([7, 9]));
    const expected = tf.tidy(() => {
      const logits = lm.mlmLogits(tf.tensor2d(ids, [2, 4], 'int32'), null, false); // [8, V]
      const lp = tf.logSoftmax(logits).arraySync() as number[][];
      return [lp[1]![7]!, lp[4 + 2]![9]!];
    });
    expect(got[0]).toBeCloseTo(expected[0]!, 5);
    expect(got[1]).toBeCloseTo(expected[1]!, 5);
    lm.dispose();
  });
});
