/** The models the browser keeps between runs (IndexedDB): what they are, their size, and a clear button. */
import { useEffect } from 'react';
import { useActions, useLab } from './lab-context';

const KIND: Record<string, string> = {
  'pretrain-student': 'Pretrained student',
  'pretrain-teacher': 'Pretrained teacher',
  task: 'Public task model',
  poison: 'Poisoned student',
  teacher: 'Fine-tuned teacher',
};

export function CachePanel() {
  const entries = useLab((s) => s.cacheEntries);
  const status = useLab((s) => s.run.status);
  const actions = useActions();
  const busy = status === 'running' || status === 'cancelling';
  // List on load and whenever a run ends: a run may have added models.
  useEffect(() => {
    if (!busy) void actions.refreshCache();
  }, [busy, actions]);
  const total = (entries ?? []).reduce((n, e) => n + e.bytes, 0);
  return (
    <details className="cache-panel">
      <summary>
        Saved models {entries ? `(${entries.length}, ${megabytes(total)})` : ''}
      </summary>
      <p className="hint">Trained models are kept in this browser, keyed by the settings that made them, so a reload, a change to the defense or to the teacher alone does not retrain the attacker’s models.</p>
      <ul data-testid="cache-list" data-count={entries?.length ?? 0}>
        {(entries ?? []).map((e) => (
          <li key={e.key} data-testid="cache-entry" title={e.key}>
            {KIND[e.key.replace(/-[^-]*$/, '')] ?? e.key} — {megabytes(e.bytes)}, {new Date(e.savedAt).toLocaleString()}
            {e.damaged && <span className="warn" data-testid="cache-damaged"> — damaged ({e.damaged}); the next run that needs it trains it again</span>}
          </li>
        ))}
        {entries?.length === 0 && <li className="hint">No saved models.</li>}
      </ul>
      <button type="button" data-testid="cache-clear" disabled={busy || !entries?.length} onClick={() => void actions.refreshCache(true)}>
        Clear saved models
      </button>
    </details>
  );
}

function megabytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} kB`;
}
