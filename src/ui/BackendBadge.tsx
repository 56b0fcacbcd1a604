/** Which backend the worker got, and why each better one was skipped. */
import { useLab } from './lab-context';

export function BackendBadge() {
  const report = useLab((s) => s.backend);
  if (!report) return <span className="backend pending">Starting the engine…</span>;
  return (
    <details className="backend">
      <summary>
        Backend: <strong data-testid="backend">{report.backend}</strong>
      </summary>
      {report.note && <p data-testid="backend-note">Kernels: {report.note}</p>}
      {report.skipped.length === 0 ? (
        <p>The best backend worked first time.</p>
      ) : (
        <ul>
          {report.skipped.map((s) => (
            <li key={s.backend + s.reason}>
              <strong>{s.backend}</strong> skipped: {s.reason}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
