/** The current error, in words, with the way out when there is one (e.g. a lost GPU → another backend). */
import { useActions, useLab } from './lab-context';

export function ErrorBanner() {
  const error = useLab((s) => s.error);
  const suggest = useLab((s) => s.run.suggestBackend);
  const actions = useActions();
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <span data-testid="error">{error}</span>
      {suggest && (
        <button type="button" onClick={() => actions.switchBackend(suggest)}>
          Switch to {suggest}
        </button>
      )}
    </div>
  );
}
