/**
 * The paper's table: each method's final CA, ASR and the ASR's floor (`asrBase`: the same sentences
 * without the trigger predicted as the target), the change against the poisoned student, and the best
 * defense highlighted by the rule `store/best-defense.ts` states (accuracy kept, few clean inputs flagged). Rows fill in as
 * stages finish, grouped: the reference models, the repairs (new weights), the input filters (the
 * poisoned model behind a screen, with how many clean and triggered inputs the screen flagged). The ASR
 * header says how many triggered sentences it rests on; the foot gives the clean-model floor (the clean
 * public task model's ASR on the same sentences), once the task stage has ended.
 */
import type { Metrics } from '../engine/events';
import { BEST_DEFENSE_RULE, bestDefense } from '../store/best-defense';
import { isDefense, isFilterMethod, METHODS, type Method } from '../store/methods';
import type { FinalMetrics } from '../store/run-state';
import { deltaPoints, percent } from './format';
import { useLab } from './lab-context';
import { METHOD_COLOR, METHOD_LABEL } from './method-style';
import { useTargetClass } from './use-target-class';

const GROUPS: { title: string; note: string; holds: (m: Method) => boolean }[] = [
  { title: 'Models', note: 'the clean task model, the attack, the weak teacher', holds: (m) => !isDefense(m) },
  { title: 'Repairs', note: 'new weights for the poisoned student', holds: (m) => isDefense(m) && !isFilterMethod(m) },
  { title: 'Input filters', note: 'the poisoned student behind a screen; a rejected input counts as a wrong answer and a failed attack', holds: isFilterMethod },
];

const COLUMNS = 8;

export function ResultsTable() {
  const finals = useLab((s) => s.run.finals);
  const rows = METHODS.flatMap((method) => {
    const metrics = finals[method];
    return metrics ? [{ method, metrics }] : [];
  });
  const poisoned = finals.poisoned;
  const best = bestDefense(rows, poisoned);
  const floors = useLab((s) => s.run.floors);
  const target = useTargetClass();
  return (
    <div className="table-scroll">
      <table className="results" data-testid="results-table">
        <caption>
          Final metrics per method; ASR: the share of triggered non-target texts read as the target class, <span data-testid="results-target">{target}</span>; {BEST_DEFENSE_RULE} (highlighted
          {rows.length > 0 && !best ? ': none yet' : ''}).
        </caption>
        <thead>
          <tr>
            <th>Method</th>
            <th>CA</th>
            <th data-testid="results-asr-header">
              ASR
              {floors && (
                <span className="hint" title="Every non-target sentence of the test split, with the trigger">
                  {' '}
                  ({floors.triggered} triggered)
                </span>
              )}
            </th>
            <th>
              <abbr title="The same sentences without the trigger, predicted as the target: ordinary mistakes. ASR cannot go below it.">ASR floor</abbr>
            </th>
            <th>ΔCA vs poisoned</th>
            <th>ΔASR vs poisoned</th>
            <th>
              <abbr title="Input filters: the share of clean test inputs the filter changed (ONION) or rejected (STRIP).">Flagged clean</abbr>
            </th>
            <th>
              <abbr title="Input filters: the share of triggered test inputs the filter changed or rejected (its detection rate).">Flagged triggered</abbr>
            </th>
          </tr>
        </thead>
        {rows.length === 0 && (
          <tbody>
            <tr>
              <td colSpan={COLUMNS} className="empty">
                Results appear here as each stage finishes.
              </td>
            </tr>
          </tbody>
        )}
        {GROUPS.map((group) => {
          const inGroup = rows.filter((r) => group.holds(r.method));
          if (inGroup.length === 0) return null;
          return (
            <tbody key={group.title} data-testid={`results-group-${group.title.toLowerCase().replace(/\s+/g, '-')}`}>
              <tr className="group">
                <th colSpan={COLUMNS} scope="rowgroup">
                  {group.title} <span className="hint">— {group.note}</span>
                </th>
              </tr>
              {inGroup.map(({ method, metrics }) => (
                <ResultRow key={method} method={method} metrics={metrics} poisoned={poisoned} best={method === best} />
              ))}
            </tbody>
          );
        })}
        {floors && floors.cleanModelAsr !== null && (
          <tfoot>
            <tr data-testid="results-clean-floor">
              <th scope="row">
                <abbr title="What the trigger does to a model that never saw poison: a trigger sentence can move a clean model by itself. A defense cannot be expected below it.">Clean-model floor</abbr>
              </th>
              <td>—</td>
              <td data-testid="results-clean-floor-asr">{percent(floors.cleanModelAsr)}</td>
              <td colSpan={COLUMNS - 3} className="hint">
                the clean public task model, before the attack, on the same {floors.triggered} triggered sentences
              </td>
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}

function ResultRow({ method, metrics, poisoned, best }: { method: Method; metrics: FinalMetrics; poisoned: Metrics | undefined; best: boolean }) {
  const filter = metrics.filter;
  return (
    <tr className={best ? 'best' : undefined} data-best={best ? 'true' : undefined}>
      <th scope="row">
        <span className="swatch" style={{ background: METHOD_COLOR[method] }} /> {METHOD_LABEL[method]}
        {best && <span className="badge">best defense</span>}
      </th>
      <td data-testid={`result-${method}-ca`}>{percent(metrics.ca)}</td>
      <td data-testid={`result-${method}-asr`}>{percent(metrics.asr)}</td>
      <td data-testid={`result-${method}-asrBase`}>{metrics.asrBase === undefined ? '—' : percent(metrics.asrBase)}</td>
      <td>{poisoned && method !== 'poisoned' ? deltaPoints(metrics.ca, poisoned.ca) : '—'}</td>
      <td>{poisoned && method !== 'poisoned' ? deltaPoints(metrics.asr, poisoned.asr) : '—'}</td>
      <td data-testid={filter ? `result-${method}-frr` : undefined}>{filter ? percent(filter.falseRejection) : '—'}</td>
      <td data-testid={filter ? `result-${method}-detection` : undefined}>{filter ? percent(filter.detection) : '—'}</td>
    </tr>
  );
}
