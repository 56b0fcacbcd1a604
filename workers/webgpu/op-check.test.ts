/** The on-device op check, run on CPU: every op agrees with its composite, and a wrong op is caught. */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkOps, OP_CASES } from './op-check';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('checkOps', () => {
  it('finds every op equal to its composite, values and gradients, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    expect(await checkOps()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the op, the output and the element when an op is wrong', async () => {
    const wrong = [{ ...OP_CASES[1]!, label: 'GELU done wrong', ours: (x: tf.Tensor) => tf.relu(x) }];
    const failures = await checkOps(13, wrong);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toMatch(/^GELU done wrong (value|gradient 1): element \d+ is /);
  });
});
