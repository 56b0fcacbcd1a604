/**
 * `npm run bench`: training-step throughput per stage type on a Node tfjs backend, the kernels each
 * step launches, the transposed-matmul micro-benchmark behind the engine's hand-written gradients, and
 * a like-for-like comparison with PyTorch CPU numbers measured on this machine. Measured, never asserted.
 *
 *   npm run bench -- [--backend wasm|cpu] [--preset NAME] [--runs N] [--json FILE] [--data DIR [--eval-only]]
 *
 * With `--data`, also one evaluation pass over the folder's dev and test splits, at the full window and in
 * order of length (`bench-eval.ts`), and ONION's scoring of its first test sentences by both paths
 * (`bench-onion.ts`); `--eval-only` measures only those.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../engine/config';
import { configFromPreset } from '../engine/presets';
import { measureEvaluation } from './bench-eval';
import { measureOnionScoring } from './bench-onion';
import { loadDataDir } from './node-data';
import { openShippedFromDisk } from './shipped';
import { initNodeBackend, type NodeBackend } from './backend';
import { BASELINE_COMMIT, REFERENCE_BASELINE, WASM_BASELINE, WASM_BASELINE_PRESET } from './bench-baseline';
import {
  PYTORCH_CPU_REFERENCE,
  STEP_KINDS,
  benchMatmulBackward,
  benchTransposedMatmul,
  measureStepKind,
  median,
  referenceShapeConfig,
  type StepMeasurement,
} from './bench-steps';

const USAGE = 'usage: npm run bench -- [--backend wasm|cpu] [--preset NAME] [--runs N] [--json FILE] [--data DIR [--eval-only]]';

/** The micro-benchmark's shape: B·T = 2048 tokens of width 256 through a [256, 256] linear. */
const MATMUL_SHAPE = { m: 2048, k: 256, n: 256 };

const ms = (x: number) => x.toFixed(1);

/** Test sentences ONION's scoring is timed on (each with its one-word deletions: about a second apiece). */
const ONION_TEXTS = 20;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      backend: { type: 'string', default: 'wasm' },
      preset: { type: 'string', default: 'paper-sst2-badnet' },
      runs: { type: 'string', default: '5' },
      json: { type: 'string' },
      data: { type: 'string' },
      'eval-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return console.log(USAGE);
  if (values.backend !== 'wasm' && values.backend !== 'cpu') throw new Error(`--backend must be wasm or cpu, got "${values.backend}"\n${USAGE}`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be an integer ≥ 1, got "${values.runs}"\n${USAGE}`);
  if (values['eval-only'] && !values.data) throw new Error(`--eval-only needs --data DIR\n${USAGE}`);
  const cfg = configFromPreset(values.preset!);
  const backend = await initNodeBackend(values.backend as NodeBackend);
  const s = cfg.models.student;
  const t = cfg.models.teacher;
  // The machine may be shared: the load average says how far to trust the medians.
  const load = loadavg()[0]!.toFixed(1);
  const threads =
    backend === 'wasm' && (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? 'WASM multithreaded' : 'one thread';
  console.log(`backend: ${backend} (Node ${process.version}, ${availableParallelism()} cores, load ${load}), preset ${values.preset}, median of ${runs} runs after 1 warm-up`);
  console.log(
    `student ${s.layers}×${s.dModel} (heads ${s.heads}, ff ${s.dFF}), teacher ${t.layers}×${t.dModel} (heads ${t.heads}, ff ${t.dFF}), ` +
      `seq ${cfg.data.maxLength}, vocab ${cfg.data.vocabSize}\n`,
  );

  if (values.data) await reportEvaluation(cfg, values.data, runs);
  if (values['eval-only']) return;

  // 1 + 2. One training step per stage type, and its kernel count.
  const steps: StepMeasurement[] = [];
  for (const kind of STEP_KINDS) {
    const m = await measureStepKind(kind, cfg, runs);
    steps.push(m);
    console.log(`  measured ${m.label}: ${ms(m.medianMs)} ms/step`);
  }
  // Times compare with the baseline only where it was measured: the same backend and preset.
  const timedBaseline = backend === 'wasm' && values.preset === WASM_BASELINE_PRESET;
  console.log(`\nOne training step (forward + backward + clipped AdamW update), backend ${backend}; before = commit ${BASELINE_COMMIT}:`);
  console.table(
    steps.map((m) => {
      const before = WASM_BASELINE[m.kind];
      return {
        stage: m.label,
        batch: m.batchSize,
        'trained params': m.trainableParams,
        ...(timedBaseline ? { 'ms/step before → after': `${ms(before.msPerStep)} → ${ms(m.medianMs)}`, '× faster': Number((before.msPerStep / m.medianMs).toFixed(2)) } : { 'ms/step': Number(ms(m.medianMs)) }),
        'samples/s': Number(m.samplesPerSecond.toFixed(1)),
        'kernels/step before → after': `${before.kernelsPerStep} → ${m.kernels ?? '-'}`,
        'kernels after/before': m.kernels === null ? '-' : Number((m.kernels / before.kernelsPerStep).toFixed(2)),
      };
    }),
  );
  console.log('most frequent kernels per step:');
  for (const m of steps) console.log(`  ${m.label.padEnd(38)} ${m.topKernels.map(([k, n]) => `${k}×${n}`).join(', ')}`);

  // 3. Why the engine's matmuls have hand-written gradients.
  const { m, k, n } = MATMUL_SHAPE;
  const forward = await benchTransposedMatmul(m, k, n, runs);
  console.log(`\nTransposed matmul, [${m},${k}] @ [${k},${n}], backend ${backend}:`);
  console.table(forward.map((r) => ({ variant: r.name, 'median ms': Number(ms(r.medianMs)), '× plain': Number(r.ratio.toFixed(2)) })));
  const backward = await benchMatmulBackward(m, k, n, runs);
  console.log(`Forward + backward (tf.grads wrt both operands), same shapes, backend ${backend}:`);
  console.table(
    backward.map((r) => ({
      op: r.op,
      'engine ms': Number(ms(r.engineMs)),
      'tfjs built-in ms': Number(ms(r.builtinMs)),
      'built-in ÷ engine': Number(r.speedup.toFixed(2)),
    })),
  );

  // 4. Like for like with PyTorch CPU on the reference shape.
  const ref = PYTORCH_CPU_REFERENCE;
  const refCfg = referenceShapeConfig(cfg);
  // The big shape dominates the run time: at most 3 timed runs, no kernel census.
  const refRuns = Math.min(runs, 3);
  const refFull = await measureStepKind('student-full', refCfg, refRuns, { countKernelLaunches: false });
  const refLora = await measureStepKind('student-lora', refCfg, refRuns, { countKernelLaunches: false });
  const r = ref.shape;
  console.log(
    `\nReference shape (${r.layers} layers, d ${r.dModel}, heads ${r.heads}, ff ${r.dFF}, seq ${r.seqLen}, batch ${r.batch}, vocab ${r.vocabSize}); ` +
      `LoRA on ${refCfg.poison.lora.targets.join('/')} rank ${refCfg.poison.lora.rank} + head; median of ${refRuns} runs:`,
  );
  console.log(
    `  REFERENCE (hard-coded, measured earlier on this machine): PyTorch CPU ${ref.secondsPerStep.full} s/step full, ${ref.secondsPerStep.lora} s LoRA-only; ` +
      `first tfjs wasm prototype ${ref.tfjsPrototypeSecondsPerStep.naive} s naive, ${ref.tfjsPrototypeSecondsPerStep.explicitTransposes} s with explicit transposes`,
  );
  console.log(`  (ours: ${threads}; load average now ${loadavg()[0]!.toFixed(1)})`);
  const refRow = (step: string, torch: number, oursMs: number, before: number) => ({
    step,
    'PyTorch CPU s': torch,
    [`before (${BASELINE_COMMIT}) s`]: backend === 'wasm' ? before : '-',
    [`ours (${backend}) s`]: Number((oursMs / 1000).toFixed(3)),
    '÷ PyTorch': Number((oursMs / 1000 / torch).toFixed(2)),
  });
  console.table([
    refRow('full fine-tune', ref.secondsPerStep.full, refFull.medianMs, REFERENCE_BASELINE.full),
    refRow('LoRA only', ref.secondsPerStep.lora, refLora.medianMs, REFERENCE_BASELINE.lora),
  ]);

  if (values.json) {
    const report = {
      date: new Date().toISOString(),
      backend,
      node: process.version,
      preset: values.preset,
      runs,
      loadAverage: { start: Number(load), end: loadavg()[0] },
      steps,
      transposedMatmul: { shape: MATMUL_SHAPE, forward, backward },
      reference: { ...ref, ours: { full: refFull, lora: refLora }, before: REFERENCE_BASELINE },
      baseline: { commit: BASELINE_COMMIT, preset: WASM_BASELINE_PRESET, steps: WASM_BASELINE },
    };
    await mkdir(dirname(values.json), { recursive: true });
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
}

/** With `--data`: the evaluation pass at the full window against the pass in order of length. */
async function reportEvaluation(cfg: ExperimentConfig, dir: string, runs: number): Promise<void> {
  // The lengths are what the comparison measures: the shipped WordPiece vocabulary reads the sentences.
  const [data, shipped] = await Promise.all([loadDataDir(dir, cfg.seed), openShippedFromDisk()]);
  const m = await measureEvaluation(cfg, data, shipped.tokenizer, runs);
  const row = (pass: string, seconds: number[]) => ({
    pass,
    'median s': Number(median(seconds).toFixed(2)),
    's per round': seconds.map((x) => x.toFixed(2)).join(' / '),
    'sentences/s': Number((m.sentences / median(seconds)).toFixed(0)),
  });
  console.log(`\nEvaluation of ${dir}'s dev + test (${m.sentences} sentences, window ${cfg.data.maxLength}), ${runs} alternated rounds:`);
  console.table([row('full window, set order', m.fullWindow), row('in order of length', m.byLength)]);
  console.log(`  in order of length ÷ full window: ${(median(m.byLength) / median(m.fullWindow)).toFixed(2)}; labels that differ: ${m.labelsDiffer} of ${m.sentences}\n`);
  const o = await measureOnionScoring(cfg, data, shipped.tokenizer, ONION_TEXTS, runs);
  const onionRow = (path: string, seconds: number[]) => ({ path, 'median s': Number(median(seconds).toFixed(2)), 's per round': seconds.map((x) => x.toFixed(2)).join(' / '), 'masked rows/s': Number((o.rows / median(seconds)).toFixed(0)) });
  console.log(`ONION's scoring of the first ${o.texts} test sentences (${o.rows} masked rows), ${runs} alternated rounds:`);
  console.table([onionRow('every block at every token', o.plain), onionRow('last block at the masked token', o.lastBlockAtMask)]);
  console.log(`  last block at the mask ÷ every token: ${(median(o.lastBlockAtMask) / median(o.plain)).toFixed(2)}; largest relative difference of a pseudo-perplexity: ${o.maxRelativeDifference.toExponential(1)}\n`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
