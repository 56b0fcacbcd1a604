/**
 * Which backend the worker got and, in one plain sentence, why: measured faster here (WASM against a
 * software WebGPU, `workers/measured-choice.ts`), or the reason a software GPU was passed over. The
 * details (how the backend was set up, why each better one was skipped) open over the page, not into
 * it, so opening them moves nothing a class is reading.
 */
import { measuredSentence } from '../../workers/measured-choice';
import { useLab } from './lab-context';

export function BackendBadge() {
  const report = useLab((s) => s.backend);
  if (!report) return <span className="backend pending">Starting the engine…</span>;
  // A GPU backend passed over on purpose (it runs in software here) is said in the badge itself.
  const passedOver = report.skipped.find((s) => (s.backend === 'webgpu' || s.backend === 'webgl') && s.reason.includes('in software on the CPU'));
  const why = report.measured
    ? measuredSentence(report.measured)
    : passedOver && `faster here than ${passedOver.backend === 'webgpu' ? 'WebGPU' : 'WebGL'}, which this browser runs in software`;
  return (
    <details className="backend" data-measured={report.measured ? (report.measured.remembered ? 'remembered' : 'now') : undefined}>
      <summary>
        Backend: <strong data-testid="backend">{report.backend}</strong>
        {why && <span data-testid="backend-why"> — {why}</span>}
      </summary>
      <div className="backend-details">
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
      </div>
    </details>
  );
}
