/** Which backend the worker got, and why each better one was skipped. */
import { useLab } from './lab-context';

export function BackendBadge() {
  const report = useLab((s) => s.backend);
  if (!report) return <span className="backend pending">Starting the engine…</span>;
  // A GPU backend passed over on purpose (it runs in software here) is said in the badge itself.
  const passedOver = report.skipped.find((s) => (s.backend === 'webgpu' || s.backend === 'webgl') && s.reason.includes('in software on the CPU'));
  return (
    <details className="backend">
      <summary>
        Backend: <strong data-testid="backend">{report.backend}</strong>
        {passedOver && <span data-testid="backend-why"> — faster here than {passedOver.backend === 'webgpu' ? 'WebGPU' : 'WebGL'}, which this browser runs in software</span>}
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
