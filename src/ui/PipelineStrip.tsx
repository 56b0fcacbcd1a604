/**
 * pretrain → (public task model) → poison → teacher → defenses: one compact chip per stage with its
 * status (`data-status`, a mark), one line of detail (epoch, step, samples/s and the time left while it
 * runs; how long it took, or where the model came from, once done) and a thin progress bar along its foot.
 *
 * Compact on purpose: a defense bench has 13 stages, and as cards they filled a projector's screen
 * before the charts began (at 1400 × 900 the results sat below the fold). As chips they take a few
 * lines, so the charts stay in view while the run goes on. The full detail is each chip's hover text.
 */
import type { StageName } from '../engine/events';
import { isDefense, methodOfStage } from '../store/methods';
import type { StageProgress } from '../store/run-state';
import { duration, rate } from './format';
import { useLab } from './lab-context';
import { METHOD_LABEL, stageLabel } from './method-style';
import { stagesOf } from '../engine/stages';

type StageStatus = StageProgress['status'];

/** Status at a glance, with its word for screen readers (the mark is not all it says: the detail and the bar's value too). */
const MARK: Record<StageStatus, { mark: string; word: string }> = {
  pending: { mark: '○', word: 'waiting' },
  running: { mark: '▶', word: 'running' },
  done: { mark: '✓', word: 'done' },
  error: { mark: '✕', word: 'failed' },
  skipped: { mark: '–', word: 'skipped' },
};

export function PipelineStrip() {
  const runOrder = useLab((s) => s.run.stageOrder);
  const methods = useLab((s) => s.config.defense.methods);
  const taskModel = useLab((s) => s.config.taskModel.enabled);
  // Before the first run the strip previews the stages the config will run.
  const order = runOrder.length > 0 ? runOrder : stagesOf(methods, taskModel);
  const firstDefense = order.findIndex(isDefenseStage);
  return (
    <ol className="pipeline" aria-label="Stages of the run">
      {order.map((stage, i) => [
        // The defenses' chips carry the method's name alone; one label before them says what they are.
        i === firstDefense && (
          <li key="defenses-label" className="pipeline-label" aria-hidden="true">
            defenses:
          </li>
        ),
        <StageChip key={stage} stage={stage} />,
      ])}
    </ol>
  );
}

function isDefenseStage(stage: StageName): boolean {
  const method = methodOfStage(stage);
  return method !== null && isDefense(method);
}

function StageChip({ stage }: { stage: StageName }) {
  const progress = useLab((s) => s.run.stages[stage]);
  const status = progress?.status ?? 'pending';
  const method = methodOfStage(stage);
  const fullName = stageLabel(stage);
  const name = method && isDefense(method) ? METHOD_LABEL[method] : fullName;
  const text = progress ? detail(progress) : 'waiting';
  return (
    <li className={`stage ${status}`} data-testid={`stage-${stage}`} data-status={status} title={`${fullName}: ${progress ? fullDetail(progress) : text}`}>
      <span className="stage-mark" role="img" aria-label={MARK[status].word}>
        {MARK[status].mark}
      </span>
      <span className="stage-name">{name}</span>
      <span className="stage-detail">{text}</span>
      <div
        className="bar"
        role="progressbar"
        aria-label={`${fullName} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round((progress?.fraction ?? 0) * 100)}
      >
        <div className="fill" style={{ width: `${(progress?.fraction ?? 0) * 100}%` }} />
      </div>
    </li>
  );
}

/** The chip's line: while it runs, all of it; once done, how long it took or where the model came from. */
function detail(p: StageProgress): string {
  if (p.status === 'done' && !p.published && !p.cached) return duration(p.seconds ?? 0);
  return fullDetail(p);
}

/** Everything the stage's progress says, for the hover text. */
function fullDetail(p: StageProgress): string {
  switch (p.status) {
    case 'pending':
      return 'waiting';
    case 'error':
      return 'failed';
    case 'skipped':
      return 'skipped: no backdoor planted';
    case 'done':
      return p.published ? 'the attacker’s published model' : p.cached ? 'from cache' : `done in ${duration(p.seconds ?? 0)}${p.samplesPerSecond ? ` · ${rate(p.samplesPerSecond)} samples/s` : ''}`;
    case 'running': {
      const plan = p.plans[p.phase ?? ''];
      const parts = [
        p.phase ? `${p.phase}:` : '',
        plan ? `epoch ${Math.max(p.epoch, 1)}/${plan.epochs}` : '',
        plan && plan.stepsPerEpoch > 0 ? `step ${p.step}/${plan.stepsPerEpoch}` : '',
        p.samplesPerSecond !== null ? `${rate(p.samplesPerSecond)} samples/s` : '',
        p.etaSeconds !== null ? `ETA ${duration(p.etaSeconds)}` : '',
      ];
      return parts.filter(Boolean).join(' · ') || 'starting…';
    }
  }
}
