/**
 * Defenses side by side. Every defense starts from the same poisoned student and the same teacher, so
 * they do not depend on one another: on a CPU with a core to spare, a second engine (a Web Worker in the
 * browser, a worker thread in Node: a *lane*) runs some of them while this one runs the rest. On WASM a
 * training step uses one core (XNNPACK's threads do not pay at these sizes, docs/SPEED.md), so two lanes
 * nearly halve the time the defenses take.
 *
 * A lane is given what the pipeline itself was given (config, dataset) plus the two models the defenses
 * start from, and builds its `DefenseRunner` as the pipeline does: a defense gives the same numbers in a
 * lane as here. Lanes run repairs; a filter runs here (its screen stays with the pipeline's predictor),
 * but one whose filter a lane can rebuild (ONION's, `laneFilter`) lends its screening to the lanes that
 * have no repair left (shared-screening.ts). A lane that cannot open costs its speed, not the run: its
 * defenses run here.
 */
import type { ExperimentConfig } from './config';
import type { Dataset } from './data/types';
import type { Emit, StageResult } from './events';
import type { NamedWeights } from './models/encoder';
import type { StudentModel } from './models/student';
import { basisIn, DEFENSES, type DefenseId, type DefenseInfo } from './defenses/catalog';
import type { DefenseOutcome } from './defenses/procedure';
import type { Screened } from './defenses/input-filter';
import { sharesScreening } from './defenses/registry';
import type { ScreenHelpers } from './defenses/shared-screening';
import { CancelledError } from './train/context';
import { defenseStage } from './stages';
import { errorMessage } from './error-message';

/** What a lane needs to run this run's defenses: plain data, copied to it once. */
export interface LaneSetup {
  config: ExperimentConfig;
  dataset: Dataset;
  /** The models the defenses start from; absent in a lane opened before they exist, which screens only (early-screening.ts). */
  models?: { poisoned: NamedWeights; teacher: NamedWeights };
  /** The clean pretrained LM, sent only when a filter shares its screening (ONION scores with it). */
  pretrainedLm?: NamedWeights;
}

/** A repair's result and the repaired model's weights, as a lane hands them back. */
export interface LaneOutcome {
  result: StageResult;
  weights: NamedWeights;
}

/** A second engine, opened for one run. */
export interface DefenseLane {
  /** Runs one repair; its events arrive through the `emit` the lane was opened with. */
  run(method: DefenseId): Promise<LaneOutcome>;
  /** Screens `texts` with `method`'s filter, rebuilt in the lane (`laneFilter`); the verdicts in order. */
  screen(method: DefenseId, texts: readonly string[]): Promise<Screened[]>;
  /** Frees the lane's engine (its worker ends). */
  close(): void;
}

/** Opens lanes: the edge's (worker threads in Node, Web Workers in the browser). */
export interface LaneFactory {
  /** How many lanes to open at most, besides the pipeline's own engine. */
  readonly count: number;
  open(setup: LaneSetup, emit: Emit, signal: AbortSignal): Promise<DefenseLane>;
}

interface DefenseSchedule {
  methods: readonly DefenseId[];
  /** Runs a defense in this engine; `helpers` lend it the idle lanes. */
  here(method: DefenseId, signal: AbortSignal, helpers: ScreenHelpers): Promise<DefenseOutcome>;
  lanes?: LaneFactory;
  /** Built only if a lane opens: the weights are read from the device then. */
  setup(): Promise<LaneSetup>;
  /** A student of the run's size holding a lane's repaired weights. */
  adopt(method: DefenseId, weights: NamedWeights): StudentModel;
  emit: Emit;
  signal?: AbortSignal;
}

/**
 * Lanes an edge offers by default: one per core beyond the one the pipeline trains on, at most 3 (the
 * defense bench's seven repairs over four cores; more would wait on memory bandwidth, not cores).
 */
export function lanesForCores(cores: number): number {
  return Math.max(0, Math.min(Math.floor(cores) - 1, 3));
}

/**
 * How many lanes a run opens: one per repair beyond the first, at most the factory's count; every lane it
 * offers when a filter shares its screening (each lane that runs out of repairs screens).
 */
export function laneCount(methods: readonly DefenseId[], lanes: LaneFactory | undefined): number {
  const repairs = methods.filter((m) => DEFENSES[m].kind === 'repair').length;
  const wanted = methods.some(sharesScreening) ? Number.POSITIVE_INFINITY : repairs - 1;
  return Math.max(0, Math.min(lanes?.count ?? 0, wanted));
}

/**
 * Runs every method, here and in lanes: this engine starts on the first, each lane is handed the next
 * repair before it opens, and from then on whoever frees up takes the next one left (lanes take repairs
 * only; this engine leaves them the last ones and filters meanwhile). A repair that builds on another
 * (`buildsOn`: NAD on `lora`) runs after it on the engine that ran it, which holds its model. A filter
 * that shares its screening runs last; a lane with no repair left waits, open, until this engine is
 * done, and screens for such a filter. Each defense's `stage-end` is emitted as it finishes; the
 * outcomes come back by method. The first failure stops the others and is thrown once they have stopped.
 */
export async function runDefenses(s: DefenseSchedule): Promise<Map<DefenseId, DefenseOutcome>> {
  const extra = laneCount(s.methods, s.lanes);
  const queue = scheduleOrder(s.methods, extra > 0);
  // Which engine ran each method (0 is this one): a repair that builds on another waits for its engine.
  const ranOn = new Map<DefenseId, number>();
  const HERE = 0;
  const takeable = (m: DefenseId, engine: number) => {
    const basis = basisIn(m, s.methods);
    return basis === undefined || ranOn.get(basis) === engine;
  };
  const outcomes = new Map<DefenseId, DefenseOutcome>();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  s.signal?.addEventListener('abort', onAbort);
  if (s.signal?.aborted) stop.abort();
  const take = (engine: number, repairsOnly: boolean): DefenseId | undefined => {
    const i = queue.findIndex((m) => takeable(m, engine) && (!repairsOnly || DEFENSES[m].kind === 'repair'));
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };
  const finished = (method: DefenseId, outcome: DefenseOutcome, engine: number) => {
    ranOn.set(method, engine);
    // With lanes, the repair that builds on this one is that engine's next, not left to run alone at the end.
    const next = queue.findIndex((m) => basisIn(m, s.methods) === method);
    if (extra > 0 && next > 0) queue.unshift(...queue.splice(next, 1));
    outcomes.set(method, outcome);
    s.emit({ type: 'stage-end', stage: defenseStage(method), result: outcome.result });
  };
  // Lanes with no repair left, and, while a filter here lends them its screening, how to hire one.
  const idle: DefenseLane[] = [];
  let hire: ((lane: DefenseLane) => void) | undefined;
  const helpersFor = (method: DefenseId): ScreenHelpers => ({
    lend(work) {
      const lent: Promise<void>[] = [];
      const employ = (lane: DefenseLane) => {
        const done = work((texts) => lane.screen(method, texts)).then(
          () => void idle.push(lane),
          (error: unknown) => {
            // Its chunk went back to the queue; a lane that failed is not lent again.
            if (!stop.signal.aborted) s.emit({ type: 'log', level: 'warn', message: `A second engine stopped screening for ${method} (${errorMessage(error)}); this one screens the rest.` });
          },
        );
        lent.push(done);
      };
      idle.splice(0).forEach(employ);
      hire = employ;
      return async () => {
        hire = undefined;
        await Promise.all(lent);
      };
    },
  });
  // Lanes open and still taking repairs.
  let repairLanes = 0;
  /**
   * This engine's next method. The last repairs are left to the lanes, which can run nothing else: while
   * no more repairs are left than lanes to take them, this engine runs a filter instead of idling a lane.
   */
  const takeHere = (): DefenseId | undefined => {
    // Repairs a lane may take: not one that builds on a model this engine holds.
    const mine = (m: DefenseId) => basisIn(m, s.methods) !== undefined && takeable(m, HERE);
    const repairsLeft = queue.filter((m) => DEFENSES[m].kind === 'repair' && !mine(m)).length;
    const filter = queue.findIndex((m) => DEFENSES[m].kind === 'filter');
    if (filter >= 0 && repairsLeft > 0 && repairsLeft <= repairLanes) return queue.splice(filter, 1)[0];
    return take(HERE, false);
  };
  const here = async () => {
    for (let m = takeHere(); m !== undefined; m = takeHere()) finished(m, await s.here(m, stop.signal, helpersFor(m)), HERE);
  };
  const sharing = s.methods.some(sharesScreening);
  let hereSettled: Promise<void> = Promise.resolve();
  let setup: Promise<LaneSetup> | undefined;
  /**
   * A lane, given its first repair before any engine starts, so that what runs where does not race its
   * opening; none when every repair is taken and the lane opens to screen only.
   */
  const away = async (engine: number, first: DefenseId | undefined) => {
    let lane: DefenseLane;
    try {
      setup ??= s.setup();
      lane = await s.lanes!.open(await setup, s.emit, stop.signal);
    } catch (error) {
      if (stop.signal.aborted) return;
      s.emit({ type: 'log', level: 'warn', message: `A second engine for the defenses could not start (${errorMessage(error)}); its defenses run here.` });
      if (first !== undefined) finished(first, await s.here(first, stop.signal, helpersFor(first)), HERE);
      return here();
    }
    try {
      repairLanes++;
      try {
        for (let m: DefenseId | undefined = first; m !== undefined && !stop.signal.aborted; m = take(engine, true)) {
          const out = await lane.run(m);
          finished(m, { kind: 'repair', result: out.result, model: s.adopt(m, out.weights) }, engine);
        }
      } finally {
        repairLanes--;
      }
      if (sharing && !stop.signal.aborted) {
        if (hire) hire(lane);
        else idle.push(lane);
        // A filter here lends its screening until this engine is done; only then does the lane close.
        await hereSettled;
      }
    } finally {
      lane.close();
    }
  };
  if (extra > 0) s.emit({ type: 'log', level: 'info', message: `Defenses side by side: this engine and ${extra} more, each on a core of its own.` });
  // `here` takes the first method at once; each lane is then handed the next repair, if one is left.
  const started = [here()];
  hereSettled = started[0]!.then(
    () => undefined,
    () => undefined,
  );
  for (let i = 1; i <= extra; i++) started.push(away(i, take(i, true)));
  const workers = started.map((p) =>
    p.catch((error: unknown) => {
      stop.abort();
      throw error;
    }),
  );
  const settled = await Promise.allSettled(workers);
  s.signal?.removeEventListener('abort', onAbort);
  if (s.signal?.aborted) throw disposeAll(outcomes, new CancelledError());
  // The failure that stopped the others, not the cancellations it caused.
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const first = failures.find((e) => !(e instanceof CancelledError)) ?? failures[0];
  if (first !== undefined) throw disposeAll(outcomes, first);
  return outcomes;
}

/**
 * The order methods are taken in. With lanes, the repairs with the most trainings first (counting what
 * builds on them), so that none is left to run alone at the end; alone, the config's order. A repair that
 * builds on another waits for it either way (`runDefenses`' `takeable`). A filter that shares its
 * screening goes last: by then the lanes are out of repairs and can all join.
 */
export function scheduleOrder(methods: readonly DefenseId[], lanes: boolean): DefenseId[] {
  // A repair's own trainings (one, when it starts from another's model), and those of what builds on it.
  const own = (m: DefenseId) => (basisIn(m, methods) ? 1 : ((DEFENSES[m] as DefenseInfo).trainings ?? 1));
  const work = (m: DefenseId): number => own(m) + methods.filter((f) => basisIn(f, methods) === m).reduce((sum, f) => sum + work(f), 0);
  const unshared = methods.filter((m) => !sharesScreening(m));
  return [...(lanes ? [...unshared].sort((a, b) => work(b) - work(a)) : unshared), ...methods.filter(sharesScreening)];
}

/** Frees the models made so far (the run is failing) and hands back the error to throw. */
function disposeAll(outcomes: Map<DefenseId, DefenseOutcome>, error: unknown): unknown {
  for (const o of outcomes.values()) if (o.kind === 'repair') o.model.dispose();
  return error;
}
