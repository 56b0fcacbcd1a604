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
import { PROCEDURES } from './defenses/registry';
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
  let runner: DefenseRunner | undefined;
  const owned: { dispose(): void }[] = [];
  const dispose = () => {
    runner?.dispose();
    owned.forEach((o) => o.dispose());
    disposeData(data);
  };
  // ONION's LM, as the pipeline makes it.
  const pretrainedLm = setup.pretrainedLm ? lazyPretrainedLm(setup.pretrainedLm, () => newStudent(pretrainRng.fork('onion-lm')), (lm) => owned.push(lm)) : undefined;
  if (setup.models) {
    const poisoned = newStudent(pretrainRng.fork('student-init'));
    const teacher = newTeacherFor(cfg, vocabSize, numLabels, pretrainRng.fork('teacher-init'));
    owned.push(poisoned, teacher);
    try {
      poisoned.setWeights(setup.models.poisoned);
      teacher.setWeights(setup.models.teacher);
    } catch (error) {
      dispose();
      throw error;
    }
    runner = new DefenseRunner({ cfg, data, ctx: { emit: opts.emit }, rng: new Rng(cfg.seed), poisoned, poisonedWeights: setup.models.poisoned, teacher, newStudent, ...(pretrainedLm ? { pretrainedLm } : {}) });
  }
  const filters = new Map<DefenseId, InputFilter>();
  return {
    async run(method, signal) {
      if (!runner) throw new Error('this lane was opened before the attack, to screen only');
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
      if (!filter) {
        const build = PROCEDURES[method].laneFilter;
        if (!build) throw new Error(`${method} does not share its screening with other engines`);
        const lm = () => {
          if (!pretrainedLm) throw new Error(`${method} needs the clean pretrained language model, which this lane was not given`);
          return pretrainedLm();
        };
        filters.set(method, (filter = build({ cfg, data, pretrainedLm: lm })));
      }
      return filter.screen(texts, signal);
    },
    dispose,
  };
}
