/**
 * Publish the attacker's models for the quick demo, as the paper's repository publishes its poisoned
 * weights: the adapted language model, the clean public task model, its backdoored version and the weak
 * teacher, each trained by the engine itself (WASM) with the quick preset's exact config and seed, and
 * written to `public/checkpoints/` (fp16 `.bin`s + `published.json`, keyed by the pipeline's cache keys).
 *
 *   npm run build:published
 *
 * A class then watches only the unlearning live; a user who changes the attack, the seed or the data
 * gets other keys and trains everything in the browser. Rerun after `npm run build:checkpoints` or any
 * engine change that alters a cache key (`tests/published.test.ts` fails until then).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryCache, unsealWeights, type SavedWeights } from '../src/engine/cache';
import { configFromPreset } from '../src/engine/presets';
import type { StageName } from '../src/engine/events';
import { CancelledError, runExperiment, splitStoredStage } from '../src/engine/pipeline';
import { encodeWeights, sha256Hex } from '../src/engine/models/checkpoint';
import { PUBLISHED_FILE, PUBLISHED_FORMAT, type PublishedEntry, type PublishedManifest } from '../src/engine/models/published';
import { initNodeBackend } from '../src/cli/backend';
import { loadSource } from '../src/cli/node-data';
import { CHECKPOINT_DIR, openShippedFromDisk } from '../src/cli/shipped';
import { errorMessage } from '../src/engine/error-message';

const PUBLISHED_PRESET = 'quick';
/** The stages whose models the attacker publishes, by the prefix of their cache keys (see pipeline.ts). */
const PUBLISHED_STAGES: { prefix: string; stage: StageName; file: string }[] = [
  { prefix: 'pretrain-student-', stage: 'pretrain', file: 'published-language-model.bin' },
  { prefix: 'task-', stage: 'task', file: 'published-task-model.bin' },
  { prefix: 'poison-', stage: 'poison', file: 'published-poisoned-model.bin' },
  { prefix: 'teacher-', stage: 'teacher', file: 'published-teacher.bin' },
];

async function main(): Promise<void> {
  const backend = await initNodeBackend('wasm');
  const config = configFromPreset(PUBLISHED_PRESET);
  const dataset = await loadSource(config.data.source, config.seed);
  const cache = new MemoryCache();
  const controller = new AbortController();
  const t0 = Date.now();
  // The defenses are the class's to run: stop as soon as the first one starts.
  const emit = (e: Parameters<Parameters<typeof runExperiment>[2]['emit']>[0]) => {
    if (e.type === 'stage-start' && e.stage.startsWith('defense:')) controller.abort();
    if (e.type === 'stage-end') log(`${e.stage}: ${e.result.final ? `CA ${pct(e.result.final.ca)}, ASR ${pct(e.result.final.asr)}` : 'done'} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    if (e.type === 'log') log(e.message);
  };
  // No `published` option: the build never feeds itself the models it is replacing.
  try {
    await runExperiment(config, dataset, { emit, backend, cache, signal: controller.signal, shipped: () => openShippedFromDisk() });
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
  }
  const entries: PublishedEntry[] = [];
  const held = await cache.list();
  for (const spec of PUBLISHED_STAGES) {
    const found = held.filter((h) => h.key.startsWith(spec.prefix));
    if (found.length !== 1) throw new Error(`expected one ${spec.stage} model in the run's cache, found ${found.length}`);
    const key = found[0]!.key;
    // The run's cache sealed each entry with a checksum; the published file has its own SHA-256.
    const unsealed = unsealWeights((await cache.get(key)) as SavedWeights);
    if (!unsealed.ok) throw new Error(`the ${spec.stage} model in the run's cache is damaged: ${unsealed.reason}`);
    const { weights, result } = splitStoredStage(unsealed.weights);
    const { bytes, tensors } = encodeWeights(weights);
    writeFileSync(join(CHECKPOINT_DIR, spec.file), bytes);
    entries.push({ key, stage: spec.stage, file: spec.file, sha256: await sha256Hex(bytes), tensors, result });
    log(`${spec.file}: ${(bytes.byteLength / 1e6).toFixed(2)} MB (${key})`);
  }
  const manifest: PublishedManifest = {
    format: PUBLISHED_FORMAT,
    createdBy: `scripts/build-published.ts (${backend}, ${new Date().toISOString().slice(0, 10)})`,
    preset: PUBLISHED_PRESET,
    seed: config.seed,
    entries,
  };
  writeFileSync(join(CHECKPOINT_DIR, PUBLISHED_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
  log(`wrote ${join(CHECKPOINT_DIR, PUBLISHED_FILE)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function log(line: string): void {
  process.stdout.write(`[published] ${line}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`build-published: ${errorMessage(err)}\n`);
  process.exit(1);
});
