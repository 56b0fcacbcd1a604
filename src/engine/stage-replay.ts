/**
 * A stage whose model already exists is replayed, not trained: from the user's model cache (keyed by
 * everything that produced the model) or from the attacker's published models. The stage's result is
 * stored with its weights, so a replayed stage emits the same epochs and final figures as a trained one.
 */
import type { ModelCache, SavedWeights } from './cache';
import type { StageName, StageResult } from './events';
import type { PublishedModels } from './models/published';
import type { StageContext } from './train/context';
import { emitLog } from './emit-log';
import { errorMessage } from './error-message';

export interface Weighted {
  /** Async: a blocking read (`dataSync`) loses the device on WebGPU under SwiftShader. */
  readWeights(): Promise<SavedWeights>;
  setWeights(w: SavedWeights): void;
}

/**
 * Runs `train` unless the cache or the published models hold the stage's model; either way emits
 * stage-start/stage-end. A cached or published stage replays its stored result so charts and tables stay
 * complete; a published one is not copied into the cache (it is always at hand).
 */
export async function runOrReplay(
  stage: StageName,
  ctx: StageContext,
  cache: ModelCache | undefined,
  published: PublishedModels | null,
  key: string,
  model: Weighted,
  train: () => Promise<StageResult>,
): Promise<StageResult> {
  const hit = cache ? await cache.get(key) : undefined;
  const replay = (hit && replayable(hit, model, key, ctx)) || (await replayPublished(published, model, key, ctx));
  if (replay) {
    const result = replay;
    ctx.emit({ type: 'stage-start', stage, epochs: result.epochs.length, stepsPerEpoch: 0 });
    for (const record of result.epochs) ctx.emit({ type: 'epoch', stage, ...record });
    ctx.emit({ type: 'stage-end', stage, result });
    return result;
  }
  const result = await train();
  ctx.emit({ type: 'stage-end', stage, result });
  if (cache) await cache.put(key, { ...(await model.readWeights()), [RESULT_KEY]: encodeResult(result) });
  return result;
}

/**
 * Loads a cached stage into `model` and returns its stored result, or undefined (and says why) when the
 * entry, though whole, does not fit: weights of another shape, or a result that no longer parses.
 */
function replayable(hit: SavedWeights, model: Weighted, key: string, ctx: StageContext): StageResult | undefined {
  try {
    const { weights, result } = splitStoredStage(hit);
    model.setWeights(weights);
    return { ...result, cached: true };
  } catch (error) {
    ctx.emit({ type: 'log', level: 'warn', message: `The cached model ${key} does not fit this run (${errorMessage(error)}); training it again.` });
    return undefined;
  }
}

/** The published model for `key` loaded into `model`, and its result; undefined when none is published under it. */
async function replayPublished(published: PublishedModels | null, model: Weighted, key: string, ctx: StageContext): Promise<StageResult | undefined> {
  if (!published) return undefined;
  try {
    const found = await published.load(key);
    if (!found) return undefined;
    model.setWeights(found.weights);
    const { manifest } = published;
    emitLog(ctx.emit, `Loaded the attacker's published ${found.entry.stage} model (made by ${manifest.createdBy} with the ${manifest.preset} preset, seed ${manifest.seed}); change the attack or the seed to train it live.`);
    return { ...found.result, cached: true, published: true };
  } catch (error) {
    ctx.emit({ type: 'log', level: 'warn', message: `The published model ${key} could not be used (${errorMessage(error)}); training it live.` });
    return undefined;
  }
}

/** Opens the published models when the edge offers them; a failure costs live training and a sentence, never the run. */
export async function openPublishedFor(open: (() => Promise<PublishedModels | null>) | undefined, ctx: StageContext): Promise<PublishedModels | null> {
  if (!open) return null;
  try {
    return await open();
  } catch (error) {
    ctx.emit({ type: 'log', level: 'warn', message: `The published models could not be opened (${errorMessage(error)}); every stage trains live.` });
    return null;
  }
}

/** The stage's result travels with its weights in the cache, as UTF-8 bytes of JSON. */
const RESULT_KEY = '__result__';

function encodeResult(result: StageResult): { shape: number[]; data: Float32Array } {
  const bytes = new TextEncoder().encode(JSON.stringify(result));
  return { shape: [bytes.length], data: Float32Array.from(bytes) };
}

/** A stored stage (cache entry) as its model's weights and its result. */
export function splitStoredStage(stored: SavedWeights): { weights: SavedWeights; result: StageResult } {
  const { [RESULT_KEY]: encoded, ...weights } = stored;
  if (!encoded) throw new Error('it holds no stage result');
  return { weights, result: decodeResult(encoded.data) };
}

function decodeResult(data: Float32Array): StageResult {
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(data))) as StageResult;
}
