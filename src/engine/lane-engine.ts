/**
 * The inside of a defense lane (see defense-lanes.ts): a second engine rebuilds, from the pipeline's own
 * inputs, exactly what the pipeline's defenses start from — the prepared data (the same function on the
 * same config and dataset), the poisoned student and the teacher (their weights), the run's random
 * stream (its seed), the clean pretrained LM where a filter shares its screening — and runs repairs, or
 * screens texts for such a filter. The edge (a worker) carries its requests and events.
 */
import type { ShippedModels } from './models/checkpoint';
import { validateConfig } from './config-checks';
import type { Emit } from './events';
import type { LaneOutcome, LaneSetup } from './defense-lanes';
import { DefenseRunner, lazyPretrainedLm, PRETRAIN_SEED } from './defense-runner';
import type { DefenseId } from './defenses/catalog';
import type { InputFilter, Screened } from './defenses/input-filter';
import type { StudentModel } from './models/student';
import { newStudentFor, newTeacherFor } from './run-models';
import { disposeData, prepareData } from './prepared-data';
import { Rng } from './rng';
import { openShippedFor, usesShipped } from './shipped-start';

export interface LaneEngine {
  /** Runs one repair; `signal` stops it at its next step with a `CancelledError`. */
  run(method: DefenseId, signal?: AbortSignal): Promise<LaneOutcome>;
  /** Screens `texts` with `method`'s filter, built once per method as the pipeline builds it. */
  screen(method: DefenseId, texts: readonly string[], signal?: AbortSignal): Promise<Screened[]>;
  dispose(): void;
}

export async function openLaneEngine(setup: LaneSetup, opts: { emit: Emit; shipped?: () => Promise<ShippedModels> }): Promise<LaneEngine> {
  const numLabels = setup.dataset.labelNames.length;
  const cfg = validateConfig(setup.config, numLabels);
  const shipped = usesShipped(cfg) ? await openShippedFor(cfg, opts.shipped) : undefined;
  // The pipeline already said what the data holds; the lane's copy of it says nothing.
  const data = prepareData(cfg, setup.dataset, { emit: () => {} }, shipped?.tokenizer);
  const vocabSize = data.tokenizer.vocabSize;
  const newStudent = (stream: Rng) => newStudentFor(cfg, vocabSize, numLabels, stream);
  // The same streams the pipeline builds its models from (pipeline.ts).
  const pretrainRng = new Rng(PRETRAIN_SEED);
  const poisoned = newStudent(pretrainRng.fork('student-init'));
  const teacher = newTeacherFor(cfg, vocabSize, numLabels, pretrainRng.fork('teacher-init'));
  try {
    poisoned.setWeights(setup.poisoned);
    teacher.setWeights(setup.teacher);
  } catch (error) {
    poisoned.dispose();
    teacher.dispose();
    disposeData(data);
    throw error;
  }
  // ONION's LM, as the pipeline makes it.
  let lm: StudentModel | undefined;
  const pretrainedLm = setup.pretrainedLm ? { pretrainedLm: lazyPretrainedLm(setup.pretrainedLm, () => newStudent(pretrainRng.fork('onion-lm')), (made) => (lm = made)) } : {};
  const runner = new DefenseRunner({ cfg, data, ctx: { emit: opts.emit }, rng: new Rng(cfg.seed), poisoned, poisonedWeights: setup.poisoned, teacher, newStudent, ...pretrainedLm });
  const filters = new Map<DefenseId, InputFilter>();
  return {
    async run(method, signal) {
      const outcome = await runner.run(method, signal);
      if (outcome.kind !== 'repair') throw new Error(`${method} is an input filter; a lane runs repairs only`);
      try {
        return { result: outcome.result, weights: await outcome.model.readWeights() };
      } finally {
        outcome.model.dispose();
      }
    },
    async screen(method, texts, signal) {
      let filter = filters.get(method);
      if (!filter) filters.set(method, (filter = runner.laneFilter(method)));
      return filter.screen(texts, signal);
    },
    dispose() {
      lm?.dispose();
      runner.dispose();
      poisoned.dispose();
      teacher.dispose();
      disposeData(data);
    },
  };
}
