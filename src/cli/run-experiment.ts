/**
 * One experiment from Node: load data, run the engine, print progress, write `events.jsonl` and
 * `results.json` into the output folder. Used by `npm run experiment` and the science benchmark.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../engine/config';
import type { LabEvent, RunResults } from '../engine/events';
import { runExperiment } from '../engine/pipeline';
import { DEFENSES } from '../engine/defenses/catalog';
import { SCREEN_CHUNK } from '../engine/defenses/shared-screening';
import { defenseOfStage } from '../engine/stages';
import { FileCache } from './file-cache';
import { loadDataDir, loadSource } from './node-data';
import { loadExtraCorpus } from './corpora';
import { openPublishedFromDisk, openShippedFromDisk } from './shipped';
import { checkWritableFolder } from './options';
import { defaultLaneCount, threadLanes } from './thread-lanes';

interface NodeRunSpec {
  config: ExperimentConfig;
  dataDir?: string;
  outDir: string;
  backend: string;
  /** Where trained models are cached; undefined turns caching off. */
  cacheDir?: string;
  /** Print a line per epoch and stage (off for quiet benchmarks). */
  verbose?: boolean;
  /** `dev` measures CA and ASR on the dev split (for choosing settings) and never reads the test split. */
  evalSplit?: 'test' | 'dev';
  /** Sees every event as it is emitted (the science benchmark times the first chart point). */
  onEvent?: (event: LabEvent) => void;
  /** Worker threads for the defenses besides the main one (`--lanes`); default `defaultLaneCount()`. */
  lanes?: number;
}

export async function runFromNode(spec: NodeRunSpec): Promise<RunResults> {
  const { config } = spec;
  // Before any data is read or model trained: a folder that cannot be written fails now, in words.
  await checkWritableFolder(spec.outDir);
  const loaded = spec.dataDir ? await loadDataDir(spec.dataDir, config.seed) : await loadSource(config.data.source, config.seed);
  // Tuning on dev: the dev split stands in for the test split, so no choice ever sees test results.
  const dataset = spec.evalSplit === 'dev' ? { ...loaded, test: loaded.dev } : loaded;
  await mkdir(spec.outDir, { recursive: true });
  const log = createWriteStream(join(spec.outDir, 'events.jsonl'));
  // Each event carries the wall seconds since the run began, so a slow run can be broken down
  // afterwards (training, evaluation and everything between) without timing it again.
  const started = performance.now();
  const emit = (event: LabEvent) => {
    const elapsedSeconds = Number(((performance.now() - started) / 1000).toFixed(2));
    log.write(`${JSON.stringify({ ...event, elapsedSeconds })}\n`);
    if (spec.verbose !== false) printEvent(event, elapsedSeconds, spec.evalSplit ?? 'test');
    spec.onEvent?.(event);
  };
  const extra = config.pretrain.extraCorpus === 'none' ? undefined : await loadExtraCorpus(config.pretrain.extraCorpus);
  try {
    const { results, predictor } = await runExperiment(config, dataset, {
      emit,
      backend: spec.backend,
      ...(spec.cacheDir ? { cache: new FileCache(spec.cacheDir) } : {}),
      ...(extra ? { extraCorpus: extra } : {}),
      shipped: () => openShippedFromDisk(),
      lanes: threadLanes(spec.lanes ?? defaultLaneCount(), spec.backend === 'cpu' ? 'cpu' : 'wasm'),
      // `--no-cache` reproduces every stage live, the published models' included.
      ...(spec.cacheDir ? { published: () => openPublishedFromDisk() } : {}),
    });
    predictor.dispose();
    if (spec.evalSplit === 'dev') results.evalSplit = 'dev';
    await writeFile(join(spec.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    return results;
  } finally {
    await new Promise<void>((resolve) => log.end(resolve));
  }
}

/** A filter's stage screens test sets; every other stage counts training steps. */
function isFilterStage(stage: string): boolean {
  const defense = defenseOfStage(stage);
  return defense !== null && DEFENSES[defense].kind === 'filter';
}

const pct = (x: number | undefined) => (x === undefined ? '   -  ' : `${(x * 100).toFixed(1).padStart(5)}%`);

/** `split`: the split measured (`--eval dev` measures dev in place of test). */
function printEvent(e: LabEvent, elapsedSeconds: number, split: 'test' | 'dev'): void {
  const at = `  [at ${elapsedSeconds.toFixed(0)} s]`;
  switch (e.type) {
    case 'stage-start':
      if (!e.phase) console.log(`▶ ${e.stage}: ${e.epochs} epoch(s) × ${e.stepsPerEpoch} ${isFilterStage(e.stage) ? `chunks of at most ${SCREEN_CHUNK} texts to screen` : 'steps'}${at}`);
      else console.log(`▶ ${e.stage} (${e.phase})${at}`);
      break;
    case 'epoch':
      console.log(
        `  ${e.stage}${e.phase ? ` (${e.phase})` : ''} epoch ${e.epoch}: loss ${e.loss.toFixed(4)}` +
          (e.ca !== undefined ? `  CA ${pct(e.ca)}  ASR ${pct(e.asr)} (floor ${pct(e.asrBase)})` : '') +
          (e.terms ? `  terms CE ${e.terms.ce.toFixed(3)} KD ${e.terms.kd.toFixed(3)} FA ${e.terms.fa.toFixed(3)}` : ''),
      );
      break;
    case 'stage-end':
      console.log(
        `✔ ${e.stage}${e.result.published ? ' (published)' : e.result.cached ? ' (cached)' : ''}: ${e.result.seconds.toFixed(1)} s, ${e.result.samplesPerSecond.toFixed(0)} samples/s` +
          (e.result.final ? `, CA ${pct(e.result.final.ca)}, ASR ${pct(e.result.final.asr)} (floor ${pct(e.result.final.asrBase)})` : '') +
          (e.result.filter ? `, flagged ${pct(e.result.filter.falseRejection)} of clean and ${pct(e.result.filter.detection)} of triggered inputs` : '') +
          at,
      );
      break;
    case 'log':
      console.log(`${e.level === 'warn' ? '⚠' : 'ℹ'} ${e.message}`);
      break;
    case 'floors':
      console.log(
        `ℹ ASR rests on ${e.floors.triggered} triggered ${split} sentences (every non-target one), CA on ${e.floors.cleanTest}` +
          (e.floors.cleanModelAsr === null ? '; no public task model, so no clean-model floor' : `; clean-model floor (the public task model on them) ${pct(e.floors.cleanModelAsr)}`),
      );
      break;
    case 'attack':
      console.log(
        `${e.attack.planted ? '✔ attack planted' : '✖ attack NOT planted'}: dev ASR ${pct(e.attack.devAsr)} after ${e.attack.epochs} epoch(s), needs ${pct(e.attack.threshold)}` +
          (e.defensesSkipped ? '; defenses skipped' : ''),
      );
      break;
    case 'error':
      console.error(`✖ ${e.message}`);
      break;
    default:
      break;
  }
}
