/**
 * pretrain → (public task model) → poison → teacher → defenses: one card per stage with its status (`data-status`) and a
 * progress bar showing epoch, step, samples/s and the time left.
 */
import type { StageName } from '../engine/events';
import type { StageProgress } from '../store/run-state';
import { duration, rate } from './format';
import { useLab } from './lab-context';
import { stageLabel } from './method-style';
import { stagesOf } from '../engine/stages';

export function PipelineStrip() {
  const runOrder = useLab((s) => s.run.stageOrder);
  const methods = useLab((s) => s.config.defense.methods);
  const taskModel = useLab((s) => s.config.taskModel.enabled);
  // Before the first run the strip previews the stages the config will run.
  const order = runOrder.length > 0 ? runOrder : stagesOf(methods, taskModel);
  return (
    <ol className="pipeline">
      {order.map((stage) => (
        <StageCard key={stage} stage={stage} />
      ))}
    </ol>
  );
}

function StageCard({ stage }: { stage: StageName }) {
  const progress = useLab((s) => s.run.stages[stage]);
  const status = progress?.status ?? 'pending';
  return (
    <li className={`stage ${status}`} data-testid={`stage-${stage}`} data-status={status}>
      <div className="stage-name">{stageLabel(stage)}</div>
      <div
        className="bar"
        role="progressbar"
        aria-label={`${stageLabel(stage)} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round((progress?.fraction ?? 0) * 100)}
      >
        <div className="fill" style={{ width: `${(progress?.fraction ?? 0) * 100}%` }} />
      </div>
      <div className="stage-detail">{progress ? detail(progress) : 'waiting'}</div>
    </li>
  );
}

function detail(p: StageProgress): string {
  switch (p.status) {
    case 'pending':
      return 'waiting';
    case 'error':
      return 'failed';
    case 'skipped':
      return 'skipped: no backdoor planted';
    case 'done':
      return p.published ? 'done (the attacker’s published model)' : p.cached ? 'done (from cache)' : `done in ${duration(p.seconds ?? 0)}${p.samplesPerSecond ? ` · ${rate(p.samplesPerSecond)} samples/s` : ''}`;
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
