/**
 * A filter's stage: screen the clean, triggered and untriggered test sentences, classify what passed
 * with the poisoned student, and report the metrics after filtering beside the same model's unscreened
 * ones on the same sentences (see input-filter.ts for how rejected inputs count). Each distinct text is
 * screened once, shared with idle lanes where the context lends them (shared-screening.ts).
 */
import { stratifiedSubset } from '../data/build';
import type { Example } from '../data/types';
import type { StageResult } from '../events';
import { accuracy, attackSuccessRate } from '../metrics/metrics';
import { disposeSet, encodeSet } from '../train/batches';
import { predictSetLabels } from '../train/evaluate';
import { filterMetrics, type InputFilter, type Screened } from './input-filter';
import type { DefenseContext } from './procedure';
import type { PreparedData } from '../prepared-data';
import type { Rng } from '../rng';
import { SCREEN_CHUNK, screenShared } from './shared-screening';

/**
 * What a filter's stage screens: `maxTexts` > 0 keeps at most that many clean (stratified) and that many
 * triggered test sentences, drawn from `rng`; `texts` holds each distinct text once (the untriggered
 * sentences are clean test sentences too).
 */
export function screeningPlan(data: PreparedData, maxTexts: number, rng: Rng): { clean: Example[]; triggered: Example[]; base: Example[]; texts: string[] } {
  const pick = rng.fork('screened');
  const clean = maxTexts > 0 ? stratifiedSubset(data.texts.test, maxTexts, pick.fork('clean')) : data.texts.test;
  // The triggered and untriggered sets are the same sentences in the same order: keep them paired.
  const pairs = data.texts.poisonedTest.map((_, i) => i);
  const chosen = maxTexts > 0 && maxTexts < pairs.length ? pick.fork('triggered').sample(pairs, maxTexts).sort((a, b) => a - b) : pairs;
  const triggered = chosen.map((i) => data.texts.poisonedTest[i]!);
  const base = chosen.map((i) => data.texts.baseTest[i]!);
  const texts = [...new Set([clean, triggered, base].flatMap((examples) => examples.map((e) => e.text)))];
  return { clean, triggered, base, texts };
}

/** The stage itself; see `screeningPlan` for what it screens. Texts in `c.prescreened` are not screened again. */
export async function screenTestSets(c: DefenseContext, filter: InputFilter, threshold: number, maxTexts: number): Promise<StageResult> {
  const { data, cfg, ctx, stage } = c;
  const target = cfg.attack.targetLabel;
  const T = cfg.data.maxLength;
  const { clean, triggered, base, texts: all } = screeningPlan(data, maxTexts, c.rng);
  const known = c.prescreened ?? new Map<string, Screened>();
  const texts = all.filter((t) => !known.has(t));
  const steps = Math.max(1, Math.ceil(texts.length / SCREEN_CHUNK));
  ctx.emit({ type: 'stage-start', stage, epochs: 1, stepsPerEpoch: steps });
  const started = performance.now();
  const { verdicts: screenedTexts, elsewhere } = await screenShared(texts, (chunk) => filter.screen(chunk, ctx.signal), c.screenHelpers, (done) => {
    const seconds = (performance.now() - started) / 1000;
    ctx.emit({ type: 'step', stage, epoch: 1, step: Math.ceil(done / SCREEN_CHUNK), stepsPerEpoch: steps, loss: Number.NaN, samplesPerSecond: done / Math.max(seconds, 1e-3) });
  });
  const verdicts = new Map([...known, ...texts.map((t, i): [string, Screened] => [t, screenedTexts[i]!])]);
  // In order of length, as every stage's evaluation; the sets' labels are placeholders, only predictions are read.
  const predict = async (texts: readonly string[]) => {
    const set = encodeSet(data.tokenizer, texts.map((text) => ({ text, label: 0 })), T);
    try {
      return await predictSetLabels(c.poisoned, set);
    } finally {
      disposeSet(set);
    }
  };
  const sets: { examples: Example[]; screened: Screened[]; predicted: Int32Array; unscreened: Int32Array }[] = [];
  for (const examples of [clean, triggered, base]) {
    const screened = examples.map((e) => verdicts.get(e.text)!);
    sets.push({ examples, screened, predicted: await predict(screened.map((s) => s.text)), unscreened: await predict(examples.map((e) => e.text)) });
  }
  const early = all.length - texts.length;
  if (early > 0) ctx.emit({ type: 'log', level: 'info', message: `${stage}: ${early} of ${all.length} texts were screened by other engines while the attacker's stages trained.` });
  if (elsewhere > 0) ctx.emit({ type: 'log', level: 'info', message: `${stage}: ${elsewhere} of ${all.length} texts were screened by other engines (lanes with no repair left).` });
  const [cleanSet, triggeredSet, baseSet] = sets as [typeof sets[0], typeof sets[0], typeof sets[0]];
  const metrics = filterMetrics({ ...cleanSet, labels: Int32Array.from(cleanSet.examples, (e) => e.label) }, triggeredSet, baseSet, target);
  const unfiltered = {
    ca: accuracy(cleanSet.unscreened, Int32Array.from(cleanSet.examples, (e) => e.label)),
    asr: attackSuccessRate(triggeredSet.unscreened, target),
    asrBase: attackSuccessRate(baseSet.unscreened, target),
  };
  const seconds = (performance.now() - started) / 1000;
  const screenedCount = clean.length + triggered.length + base.length;
  const shown = (x: number) => `${(x * 100).toFixed(1)} %`;
  ctx.emit({
    type: 'log',
    level: 'info',
    message: `${stage}: flagged ${shown(metrics.falseRejection)} of ${clean.length} clean and ${shown(metrics.detection)} of ${triggered.length} triggered test sentences; CA ${shown(unfiltered.ca)} → ${shown(metrics.ca)}, ASR ${shown(unfiltered.asr)} → ${shown(metrics.asr)}.`,
  });
  return {
    epochs: [],
    final: { ca: metrics.ca, asr: metrics.asr, asrBase: metrics.asrBase },
    seconds,
    samplesPerSecond: screenedCount / Math.max(seconds, 1e-3),
    filter: { falseRejection: metrics.falseRejection, detection: metrics.detection, clean: clean.length, triggered: triggered.length, threshold, unfiltered },
  };
}
