/**
 * Leave-one-out attributions: how much the predicted class's probability drops when one token is left
 * out. All variants (the full text, then the text without token i, for each i) go through the model
 * together, in `predictProbabilities`' evaluation batches: one forward pass unless the text has more
 * tokens than a batch has rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CLS, PAD, type TextTokenizer } from '../data/tokenizer';
import { predictProbabilities, type Classifier } from '../train/evaluate';

interface Attribution {
  /** The text's tokens that fit the model's window (after [CLS]). */
  tokens: string[];
  /** Per token: p(predicted | text) − p(predicted | text without the token); positive = supports. */
  scores: number[];
  /** The class predicted for the full text. */
  predicted: number;
}

/**
 * Rows: [n + 1, maxLength] int32, row 0 the full encoding, row i + 1 the encoding with token i left out
 * (the rest shifted left, PAD at the end). `ids` are the text's token ids without [CLS].
 */
export function leaveOneOutRows(ids: readonly number[], maxLength: number): Int32Array {
  const n = Math.min(ids.length, maxLength - 1);
  const rows = new Int32Array((n + 1) * maxLength).fill(PAD);
  for (let r = 0; r <= n; r++) {
    const row = r * maxLength;
    rows[row] = CLS;
    let col = 1;
    for (let i = 0; i < n; i++) if (i !== r - 1) rows[row + col++] = ids[i]!;
  }
  return rows;
}

/**
 * Scores from the probabilities of the leave-one-out rows: probs is row-major [n + 1, C] as the model
 * gave them for `leaveOneOutRows`.
 */
export function scoresFromProbabilities(probs: ArrayLike<number>, numLabels: number): { predicted: number; scores: number[] } {
  const rows = probs.length / numLabels;
  let predicted = 0;
  for (let c = 1; c < numLabels; c++) if (probs[c]! > probs[predicted]!) predicted = c;
  const full = probs[predicted]!;
  const scores: number[] = [];
  for (let r = 1; r < rows; r++) scores.push(full - probs[r * numLabels + predicted]!);
  return { predicted, scores };
}

/** Leave-one-out attribution of `text` under `model`: n + 1 rows through `predictProbabilities`. */
export async function leaveOneOut(model: Classifier, tokenizer: TextTokenizer, text: string, maxLength: number): Promise<Attribution> {
  const tokens = tokenizer.tokenize(text).slice(0, maxLength - 1);
  const flat = leaveOneOutRows(tokens.map((t) => tokenizer.idOf(t)), maxLength);
  const ids = tf.tensor2d(flat, [tokens.length + 1, maxLength], 'int32');
  try {
    const probs = await predictProbabilities(model, ids);
    const numLabels = probs.length / (tokens.length + 1);
    return { tokens, ...scoresFromProbabilities(probs, numLabels) };
  } finally {
    ids.dispose();
  }
}
