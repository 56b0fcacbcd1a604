/** The run's log lines (data sizes, cache hits, warnings), newest last. */
import { useLab } from './lab-context';

export function RunLog() {
  const logs = useLab((s) => s.run.logs);
  if (logs.length === 0) return null;
  return (
    <details className="run-log">
      <summary>Log ({logs.length})</summary>
      <ul>
        {logs.map((line, i) => (
          <li key={i} className={line.level}>
            {line.message}
          </li>
        ))}
      </ul>
    </details>
  );
}
