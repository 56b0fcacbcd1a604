/** Run, Cancel and Run again; Run waits until the settings are valid and says what is wrong. */
import { useMemo } from 'react';
import { configIssues } from '../engine/config-checks';
import { knownLabelCount } from '../store/dataset-spec';
import { isActive, type RunStatus } from '../store/run-state';
import { useActions, useLab } from './lab-context';

const STATUS_TEXT: Record<RunStatus, string> = {
  idle: 'Ready.',
  running: 'Running…',
  cancelling: 'Stopping at the next step…',
  done: 'Done.',
  cancelled: 'Cancelled; every tensor of the run was freed.',
  error: 'The run stopped with an error.',
};

export function RunControls() {
  const status = useLab((s) => s.run.status);
  const showingPrevious = useLab((s) => s.run.showingPrevious);
  const config = useLab((s) => s.config);
  const upload = useLab((s) => s.upload);
  const actions = useActions();
  const issueCount = useMemo(() => configIssues(config, knownLabelCount(config.data.source, upload)).length, [config, upload]);
  const active = isActive(status);
  return (
    <div className="run-controls">
      <button type="button" className="primary" data-testid="run" disabled={active || issueCount > 0} onClick={() => void actions.run()}>
        {status === 'idle' ? 'Run' : 'Run again'}
      </button>
      <button type="button" data-testid="cancel" disabled={status !== 'running'} onClick={() => void actions.cancel()}>
        Cancel
      </button>
      <span className="status" data-testid="run-status" data-status={status}>
        {issueCount > 0 && !active ? `Fix ${issueCount} setting${issueCount > 1 ? 's' : ''} marked in Setup to run.` : STATUS_TEXT[status]}
        {showingPrevious && <span data-testid="showing-previous"> The figures below are the previous run’s.</span>}
      </span>
    </div>
  );
}
