/**
 * Trigger comparison: the current config run once per trigger (pretrained student and teacher reused
 * from the model cache), then a heatmap of ASR per trigger and method with CA beside it.
 */
import { useState } from 'react';
import { sweepRows } from '../engine/sweep';
import { METHODS } from '../store/methods';
import { percent } from './format';
import { useActions, useLab } from './lab-context';
import { METHOD_LABEL } from './method-style';

export function Compare() {
  const sweep = useLab((s) => s.sweep);
  const runActive = useLab((s) => s.run.status === 'running' || s.run.status === 'cancelling');
  const actions = useActions();
  const [text, setText] = useState('mn, cf');
  const running = sweep.status === 'running';
  const rows = sweepRows(sweep.cells);
  const methods = METHODS.filter((m) => rows.some((r) => r.method === m));
  const at = (trigger: string, method: string) => rows.find((r) => r.trigger === trigger && r.method === method);
  return (
    <section className="compare" aria-labelledby="compare-title">
      <h3 id="compare-title">Trigger comparison</h3>
      <p className="hint">
        Runs the current settings once per trigger. Separate triggers by commas: one or two words are BadNet rare words, three or more an InSent sentence,
        “syntactic” the template attack.
      </p>
      <form
        className="compare-form"
        onSubmit={(e) => {
          e.preventDefault();
          void actions.sweep(text);
        }}
      >
        <input data-testid="sweep-triggers" aria-label="Triggers to compare" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="primary" data-testid="sweep-run" disabled={running || runActive || !text.trim()}>
          Run sweep
        </button>
        <button type="button" data-testid="sweep-cancel" disabled={!running} onClick={() => void actions.cancelSweep()}>
          Cancel
        </button>
      </form>
      <p className="status" data-testid="sweep-status" data-status={sweep.status}>
        {running && sweep.progress
          ? `Trigger ${sweep.progress.cell + 1} of ${sweep.progress.cells} (“${sweep.progress.name}”): ${sweep.progress.stage ?? 'loading data'}…`
          : running
            ? 'Starting…'
            : sweep.status === 'cancelled'
              ? 'Sweep cancelled.'
              : null}
      </p>
      {running && sweep.progress && <progress max={sweep.progress.cells} value={sweep.progress.cell} aria-label="Sweep progress" />}
      {sweep.cells.length > 0 && (
        <table className="sweep-table" data-testid="sweep-table">
          <thead>
            <tr>
              <th scope="col">Trigger</th>
              {methods.map((m) => (
                <th key={m} scope="col">
                  {METHOD_LABEL[m]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sweep.cells.map(({ name, results }) => (
              // data-pretrain-cached: whether this trigger reused the pretrained student (the tests read it).
              <tr key={name} data-testid={`sweep-row-${name}`} data-pretrain-cached={String(results.stages.pretrain?.cached === true)}>
                <th scope="row">{name}</th>
                {methods.map((m) => {
                  const r = at(name, m);
                  return (
                    <td key={m} style={{ background: r ? `rgba(213, 94, 0, ${(r.asr * 0.7).toFixed(3)})` : undefined }}>
                      {r && (
                        <>
                          <span data-testid={`sweep-cell-${name}-${m}-asr`}>ASR {percent(r.asr)}</span>
                          <br />
                          <small data-testid={`sweep-cell-${name}-${m}-ca`}>CA {percent(r.ca)}</small>
                        </>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
