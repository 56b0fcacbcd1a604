/**
 * The state of the current run, and the pure functions that move it: `beginRun` when Run is pressed,
 * `reduceEvent` for every event the worker streams, `endRun` for the run's reply. Events stamped with
 * an older `runId` are dropped, so a cancelled run that is still winding down cannot touch the new one.
 * Untouched parts keep their identity, so a chart re-renders only when its own data changed.
 */
import { defenseOfStage, isStageName } from '../engine/stages';
import type { AttackRecord, FilterOutcome, Floors, LabEvent, Metrics, RunResults, StageName, StageResult } from '../engine/events';
import { skipsDefenses } from '../engine/attacks/planted';
import type { BackendName, RunOutcome } from '../../workers/protocol';
import { methodOfStage, type Method } from './methods';

/** `skipped`: the run ended without it, e.g. a defense after an attack that planted no backdoor. */
type StageStatus = 'pending' | 'running' | 'done' | 'error' | 'skipped';
export type RunStatus = 'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'error';

/** How long a stage (or a phase inside it, e.g. the teacher's own pretraining) will run. */
interface StagePlan {
  epochs: number;
  stepsPerEpoch: number;
}

export interface StageProgress {
  status: StageStatus;
  /** The phase now running (`pretrain` inside `teacher`), undefined for the stage's main loop. */
  phase: string | undefined;
  /** Plans by phase; '' is the main loop. */
  plans: Record<string, StagePlan>;
  epoch: number;
  step: number;
  /** Fraction of the current phase done, in [0, 1]. */
  fraction: number;
  samplesPerSecond: number | null;
  loss: number | null;
  etaSeconds: number | null;
  /** When the current phase started (ms, the caller's clock). */
  phaseStartedAt: number;
  /** Seconds the finished stage took (from its result). */
  seconds: number | null;
  cached: boolean;
  /** The model was the attacker's published one (a kind of cached stage). */
  published: boolean;
}

export interface MetricPoint {
  epoch: number;
  ca: number;
  asr: number;
  /** The ASR's floor (untriggered sentences predicted as the target); absent in results saved before it existed. */
  asrBase?: number;
}

interface LogLine {
  level: 'info' | 'warn';
  message: string;
}

export interface RunState {
  runId: number;
  status: RunStatus;
  stageOrder: StageName[];
  stages: Partial<Record<StageName, StageProgress>>;
  /** CA and ASR after every epoch, per method. */
  series: Partial<Record<Method, MetricPoint[]>>;
  /** The metrics each stage hands on, as its `stage-end` reports them. */
  /** Each method's final metrics; an input filter's carry what the screen did. */
  finals: Partial<Record<Method, FinalMetrics>>;
  results: RunResults | null;
  error: string | null;
  /** A backend to switch to, when the error says this one failed (e.g. the GPU was lost). */
  suggestBackend: BackendName | null;
  /** The backend the run trains on (from the worker's `ready` event). */
  backend: string | null;
  logs: LogLine[];
  /** The ASR floors, known once the public task model's stage ends (the ASR chart draws the clean model's). */
  floors: Floors | null;
  /** Whether the backdoor was planted, known once poisoning ends; a failed one skips the defenses. */
  attack: RunAttack | null;
  /**
   * The last finished run's figures, kept while a new one starts: a run that fails before any stage
   * finishes (a dataset that cannot load offline) puts them back rather than blanking the page.
   */
  previous: Pick<RunState, 'series' | 'finals' | 'floors' | 'results' | 'attack'> | null;
  /** True when the figures shown are `previous`'s, after this run failed early. */
  showingPrevious: boolean;
}

export type RunAttack = AttackRecord & { defensesSkipped: boolean };

/** Newest log lines kept; older ones scroll away. */
const MAX_LOGS = 200;

export const IDLE_RUN: RunState = {
  runId: 0,
  status: 'idle',
  stageOrder: [],
  stages: {},
  series: {},
  finals: {},
  results: null,
  error: null,
  suggestBackend: null,
  backend: null,
  logs: [],
  floors: null,
  attack: null,
  previous: null,
  showingPrevious: false,
};

function pendingStage(now: number): StageProgress {
  return {
    status: 'pending',
    phase: undefined,
    plans: {},
    epoch: 0,
    step: 0,
    fraction: 0,
    samplesPerSecond: null,
    loss: null,
    etaSeconds: null,
    phaseStartedAt: now,
    seconds: null,
    cached: false,
    published: false,
  };
}

/** A fresh run: every stage pending. */
export function beginRun(runId: number, stageOrder: StageName[], now: number, before: RunState = IDLE_RUN): RunState {
  const stages: RunState['stages'] = {};
  for (const stage of stageOrder) stages[stage] = pendingStage(now);
  const { series, finals, floors, results, attack } = before;
  const previous = before.status === 'done' && results && !before.showingPrevious ? { series, finals, floors, results, attack } : before.previous;
  return { ...IDLE_RUN, runId, status: 'running', stageOrder, stages, previous };
}

/** Stamped as the worker sends it. */
export interface StampedEvent {
  runId: number;
  event: LabEvent;
}

/** Applies one event of the stream; events of other runs leave the state as it was. */
export function reduceEvent(state: RunState, { runId, event }: StampedEvent, now: number): RunState {
  if (runId !== state.runId) return state;
  switch (event.type) {
    case 'ready':
      return { ...state, backend: event.backend };
    case 'stage-start':
      // Stages run one after another — except defenses, which may train side by side in lanes — so a
      // new one starting means any other still shown running (a defense beside a defense aside) is over.
      return withStage(finishOthers(state, event.stage), event.stage, now, (p) => {
        const phaseKey = event.phase ?? '';
        return {
          ...p,
          status: 'running',
          phase: event.phase,
          plans: { ...p.plans, [phaseKey]: { epochs: event.epochs, stepsPerEpoch: event.stepsPerEpoch } },
          epoch: 0,
          step: 0,
          fraction: 0,
          etaSeconds: null,
          phaseStartedAt: now,
        };
      });
    case 'step':
      return withStage(state, event.stage, now, (p) => stepProgress(p, event, now));
    case 'epoch': {
      const next = withStage(state, event.stage, now, (p) => {
        const plan = p.plans[event.phase ?? ''];
        if (!plan || plan.stepsPerEpoch > 0) return p;
        // A cached stage replays its epochs without steps: move the bar epoch by epoch.
        return { ...p, epoch: event.epoch, fraction: Math.min(1, event.epoch / Math.max(plan.epochs, 1)) };
      });
      const method = methodOfStage(event.stage);
      // Only a classifier's own epochs carry CA/ASR; language-model phases report loss alone.
      if (!method || event.phase || event.ca === undefined || event.asr === undefined) return next;
      return { ...next, series: { ...next.series, [method]: upsertPoint(next.series[method] ?? [], { epoch: event.epoch, ca: event.ca, asr: event.asr, ...(event.asrBase !== undefined ? { asrBase: event.asrBase } : {}) }) } };
    }
    case 'stage-end': {
      const next = withStage(state, event.stage, now, (p) => finishedStage(p, event.result));
      const method = methodOfStage(event.stage);
      if (!method || !event.result.final) return next;
      return { ...next, finals: { ...next.finals, [method]: finalOf(event.result) } };
    }
    case 'log':
      return { ...state, logs: [...state.logs, { level: event.level, message: event.message }].slice(-MAX_LOGS) };
    case 'floors':
      return { ...state, floors: event.floors };
    case 'attack': {
      const next = { ...state, attack: { ...event.attack, defensesSkipped: event.defensesSkipped } };
      // Shown at once: the strip marks the defenses that will not run while the teacher still trains.
      return event.defensesSkipped ? markSkipped(next, (stage) => defenseOfStage(stage) !== null) : next;
    }
    case 'error':
      return failed(state, event.message, event.stage);
    case 'done':
      return completed(state, event.results);
  }
}

/** The run's reply: how it ended. */
export function endRun(state: RunState, runId: number, outcome: RunOutcome): RunState {
  if (runId !== state.runId) return state;
  switch (outcome.outcome) {
    case 'done':
      return { ...completed(state, outcome.results), error: null };
    case 'cancelled':
      // The stage that was cut short has to run again: back to pending, not an error.
      return { ...mapRunning(state, (p) => ({ ...p, status: 'pending', etaSeconds: null })), status: 'cancelled' };
    case 'error':
      return { ...failed(state, outcome.message), suggestBackend: outcome.suggestBackend ?? null };
  }
}

/** Cancel pressed: the worker stops at the next step and replies. */
export function markCancelling(state: RunState): RunState {
  return state.status === 'running' ? { ...state, status: 'cancelling' } : state;
}

export function isActive(status: RunStatus): boolean {
  return status === 'running' || status === 'cancelling';
}

function stepProgress(p: StageProgress, event: Extract<LabEvent, { type: 'step' }>, now: number): StageProgress {
  const switched = event.phase !== p.phase;
  const phaseStartedAt = switched ? now : p.phaseStartedAt;
  const plan = p.plans[event.phase ?? ''] ?? { epochs: event.epoch, stepsPerEpoch: event.stepsPerEpoch };
  const epochs = Math.max(plan.epochs, 1);
  const perEpoch = Math.max(event.stepsPerEpoch, 1);
  const done = (event.epoch - 1) * perEpoch + event.step;
  const total = epochs * perEpoch;
  const elapsed = (now - phaseStartedAt) / 1000;
  return {
    ...p,
    status: 'running',
    phase: event.phase,
    phaseStartedAt,
    epoch: event.epoch,
    step: event.step,
    fraction: Math.min(1, done / total),
    samplesPerSecond: event.samplesPerSecond,
    loss: event.loss,
    // Measured over the phase so far, evaluation included: what the user will actually wait.
    etaSeconds: done > 0 && elapsed > 0 && !switched ? (elapsed / done) * Math.max(total - done, 0) : null,
  };
}

function finishedStage(p: StageProgress, result: StageResult): StageProgress {
  return {
    ...p,
    status: 'done',
    phase: undefined,
    fraction: 1,
    etaSeconds: 0,
    seconds: result.seconds,
    cached: result.cached === true,
    published: result.published === true,
    samplesPerSecond: result.cached ? p.samplesPerSecond : result.samplesPerSecond,
  };
}

/**
 * The results are the final word: every stage they list is done and its metrics are the table's,
 * even where a stage's own `stage-end` never arrived.
 */
function completed(state: RunState, results: RunResults): RunState {
  if (state.results === results) return state;
  let next: RunState = {
    ...state,
    status: 'done',
    results,
    floors: results.floors ?? state.floors,
    attack: results.attack ? { ...results.attack, defensesSkipped: skipsDefenses(results.attack, results.config.poison.untilAsr) } : state.attack,
  };
  // A stage still waiting when the run is over never ran (the defenses after a failed attack).
  next = markSkipped(next, (stage) => !results.stages[stage]);
  const finals: RunState['finals'] = { ...state.finals };
  for (const stage of Object.keys(results.stages).filter(isStageName)) {
    const result = results.stages[stage];
    if (!result) continue;
    // Stages shown done before their result arrived (see `finishOthers`) get their timings now.
    const shown = next.stages[stage];
    if (shown?.status !== 'done' || shown.seconds === null) next = withStage(next, stage, 0, (p) => finishedStage(p, result));
    const method = methodOfStage(stage);
    if (method && result.final) finals[method] = finalOf(result);
  }
  return { ...next, finals };
}

export type FinalMetrics = Metrics & { filter?: FilterOutcome };

function finalOf(result: StageResult): FinalMetrics {
  return { ...result.final!, ...(result.filter ? { filter: result.filter } : {}) };
}

function failed(state: RunState, message: string, stage?: StageName): RunState {
  const marked = stage ? withStage(state, stage, 0, (p) => ({ ...p, status: 'error' })) : mapRunning(state, (p) => ({ ...p, status: 'error' }));
  // Nothing of this run to show: the last finished run's figures stay on the page.
  if (Object.keys(state.finals).length === 0 && state.previous) return { ...marked, ...state.previous, status: 'error', error: message, showingPrevious: true };
  return { ...marked, status: 'error', error: message };
}

function withStage(state: RunState, stage: StageName, now: number, update: (p: StageProgress) => StageProgress): RunState {
  const current = state.stages[stage] ?? pendingStage(now);
  const stageOrder = state.stageOrder.includes(stage) ? state.stageOrder : [...state.stageOrder, stage];
  return { ...state, stageOrder, stages: { ...state.stages, [stage]: update(current) } };
}

function finishOthers(state: RunState, stage: StageName): RunState {
  const isDefense = defenseOfStage(stage) !== null;
  const over = (s: StageName) => s !== stage && state.stages[s]?.status === 'running' && !(isDefense && defenseOfStage(s) !== null);
  if (!state.stageOrder.some(over)) return state;
  const stages: RunState['stages'] = { ...state.stages };
  for (const s of state.stageOrder) {
    const p = stages[s];
    if (p && over(s)) stages[s] = { ...p, status: 'done', fraction: 1, etaSeconds: 0, phase: undefined };
  }
  return { ...state, stages };
}

/** Marks the pending stages `which` picks as skipped. */
function markSkipped(state: RunState, which: (stage: StageName) => boolean): RunState {
  if (!state.stageOrder.some((s) => which(s) && state.stages[s]?.status === 'pending')) return state;
  const stages: RunState['stages'] = { ...state.stages };
  for (const s of state.stageOrder) {
    const p = stages[s];
    if (p?.status === 'pending' && which(s)) stages[s] = { ...p, status: 'skipped' };
  }
  return { ...state, stages };
}

function mapRunning(state: RunState, update: (p: StageProgress) => StageProgress): RunState {
  const stages: RunState['stages'] = { ...state.stages };
  for (const stage of state.stageOrder) {
    const p = stages[stage];
    if (p?.status === 'running') stages[stage] = update(p);
  }
  return { ...state, stages };
}

/** Keeps one point per epoch (a cached replay may resend one). */
function upsertPoint(points: MetricPoint[], point: MetricPoint): MetricPoint[] {
  return [...points.filter((p) => p.epoch !== point.epoch), point].sort((a, b) => a.epoch - b.epoch);
}
