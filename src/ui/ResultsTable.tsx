/**
 * The paper's table: each method's final CA, ASR and the ASR's floor (`asrBase`: the same sentences
 * without the trigger predicted as the target), the change against the poisoned student, and the best
 * defense (highest CA − ASR: it keeps accuracy and removes the backdoor) highlighted. Rows fill in as
 * stages finish.
 */
import type { Metrics } from '../engine/events';
import { isDefense, METHODS, type Method } from '../store/methods';
import { deltaPoints, percent } from './format';
import { useLab } from './lab-context';
import { METHOD_COLOR, METHOD_LABEL } from './method-style';

export function ResultsTable() {
  const finals = useLab((s) => s.run.finals);
  const rows = METHODS.flatMap((method) => {
    const metrics = finals[method];
    return metrics ? [{ method, metrics }] : [];
  });
  const poisoned = finals.poisoned;
  const best = bestDefense(rows);
  return (
    <table className="results" data-testid="results-table">
      <caption>Final metrics per method; the best defense (highest CA − ASR) is highlighted.</caption>
      <thead>
        <tr>
          <th>Method</th>
          <th>CA</th>
          <th>ASR</th>
          <th>
            <abbr title="The same sentences without the trigger, predicted as the target: ordinary mistakes. ASR cannot go below it.">ASR floor</abbr>
          </th>
          <th>ΔCA vs poisoned</th>
          <th>ΔASR vs poisoned</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={6} className="empty">
              Results appear here as each stage finishes.
            </td>
          </tr>
        )}
        {rows.map(({ method, metrics }) => (
          <tr key={method} className={method === best ? 'best' : undefined} data-best={method === best ? 'true' : undefined}>
            <th scope="row">
              <span className="swatch" style={{ background: METHOD_COLOR[method] }} /> {METHOD_LABEL[method]}
              {method === best && <span className="badge">best defense</span>}
            </th>
            <td data-testid={`result-${method}-ca`}>{percent(metrics.ca)}</td>
            <td data-testid={`result-${method}-asr`}>{percent(metrics.asr)}</td>
            <td data-testid={`result-${method}-asrBase`}>{metrics.asrBase === undefined ? '—' : percent(metrics.asrBase)}</td>
            <td>{poisoned && method !== 'poisoned' ? deltaPoints(metrics.ca, poisoned.ca) : '—'}</td>
            <td>{poisoned && method !== 'poisoned' ? deltaPoints(metrics.asr, poisoned.asr) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function bestDefense(rows: { method: Method; metrics: Metrics }[]): Method | null {
  let best: { method: Method; score: number } | null = null;
  for (const { method, metrics } of rows) {
    if (!isDefense(method)) continue;
    const score = metrics.ca - metrics.asr;
    if (!best || score > best.score) best = { method, score };
  }
  return best?.method ?? null;
}
