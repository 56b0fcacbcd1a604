/**
 * Comparison: the current config run once per cell of triggers × poison budgets × label modes (the
 * pretrained student and teacher reused from the model cache), then a heatmap of ASR per cell and
 * method with CA beside it, each row's clean-model floor, and a cell whose attack did not plant its
 * backdoor marked as such (its defenses were not run). The default triggers make a comparison that
 * teaches: a rare word that is one token, a made-up word the vocabulary splits into common pieces, a
 * sentence, and the syntactic template.
 */
import { useMemo, useState } from 'react';
import { LABEL_MODES, type LabelMode } from '../engine/config';
import { sweepCellInfo, sweepRows, type SweepCellInfo } from '../engine/sweep';
import { METHODS } from '../store/methods';
import { isStageName, stagesOf } from '../engine/stages';
import type { StageName } from '../engine/events';
import { stageLabel } from './method-style';
import { percent } from './format';
import { useActions, useLab } from './lab-context';
import { METHOD_LABEL } from './method-style';

/** The columns that tell cells apart; the table shows those that vary across the sweep. */
const AXES: { key: string; heading(budgetKind: string): string; show(cell: SweepCellInfo): string }[] = [
  { key: 'trigger', heading: () => 'Trigger', show: (c) => c.trigger },
  { key: 'budget', heading: (kind) => `Budget (${kind})`, show: (c) => String(c.budget) },
  { key: 'labels', heading: () => 'Labels', show: (c) => `${c.labelMode}-label` },
];

/** One token (`mn`), pieces clean text shares (`blorf` → blo ##r ##f), a sentence, a sentence structure. */
const TEACHING_TRIGGERS = 'mn, blorf, I watched this 3D movie, syntactic';

export function Compare() {
  const sweep = useLab((s) => s.sweep);
  const runActive = useLab((s) => s.run.status === 'running' || s.run.status === 'cancelling');
  const budget = useLab((s) => s.config.attack.budget);
  const budgetKind = useLab((s) => s.config.attack.budgetKind);
  const labelMode = useLab((s) => s.config.attack.labelMode);
  const actions = useActions();
  const defenses = useLab((s) => s.config.defense.methods);
  const taskModel = useLab((s) => s.config.taskModel.enabled);
  const stages = useMemo(() => stagesOf(defenses, taskModel), [defenses, taskModel]);
  const [triggers, setTriggers] = useState(TEACHING_TRIGGERS);
  const [budgets, setBudgets] = useState('');
  const [labelModes, setLabelModes] = useState<LabelMode[]>([]);
  // Rebuilt from LABEL_MODES so the order (clean, then dirty) is the same whatever was ticked first.
  const tick = (mode: LabelMode, on: boolean) => setLabelModes((ticked) => LABEL_MODES.filter((m) => (m === mode ? on : ticked.includes(m))));
  const running = sweep.status === 'running';
  const rows = sweepRows(sweep.cells);
  const methods = METHODS.filter((m) => rows.some((r) => r.method === m));
  const at = (cell: string, method: string) => rows.find((r) => r.cell === cell && r.method === method);
  const infos = sweep.cells.map(({ name, results }) => ({ info: sweepCellInfo(name, results), results }));
  const varying = AXES.filter((a) => new Set(infos.map(({ info }) => a.show(info))).size > 1);
  // A sweep of one cell still needs a column that names its row.
  const axes = varying.length > 0 ? varying : AXES.slice(0, 1);
  // The budget kind the runs used (the settings may have changed since).
  const sweptKind = sweep.cells[0]?.results.config.attack.budgetKind ?? budgetKind;
  return (
    <section className="compare" aria-labelledby="compare-title">
      <h3 id="compare-title">Trigger, budget and label comparison</h3>
      <p className="hint">
        Runs the current settings once per combination of trigger, poison budget and label mode. Separate triggers by commas: one or two words are BadNet
        rare words, three or more an InSent sentence, “syntactic” the template attack.
      </p>
      <form
        className="compare-form"
        onSubmit={(e) => {
          e.preventDefault();
          void actions.sweep({ triggers, budgets, labelModes });
        }}
      >
        <div className="compare-field">
          <label htmlFor="sweep-triggers">Triggers</label>
          <input id="sweep-triggers" type="text" data-testid="sweep-triggers" value={triggers} onChange={(e) => setTriggers(e.target.value)} />
        </div>
        <div className="compare-field">
          <label htmlFor="sweep-budgets">Poison budgets</label>
          <input
            id="sweep-budgets"
            type="text"
            data-testid="sweep-budgets"
            value={budgets}
            placeholder={String(budget)}
            aria-describedby="sweep-budgets-hint"
            onChange={(e) => setBudgets(e.target.value)}
          />
          <small id="sweep-budgets-hint" className="hint">
            In the current budget kind: {budgetKind === 'rate' ? 'a rate of the eligible samples (0.1 = 10 %)' : 'a count of poisoned samples'}. Empty: {budget}.
          </small>
        </div>
        <fieldset className="compare-labels" aria-describedby="sweep-labels-hint">
          <legend>Label modes</legend>
          {LABEL_MODES.map((mode) => (
            <label key={mode}>
              <input type="checkbox" data-testid={`sweep-label-${mode}`} checked={labelModes.includes(mode)} onChange={(e) => tick(mode, e.target.checked)} /> {mode}-label
            </label>
          ))}
          <small id="sweep-labels-hint" className="hint">
            None ticked: {labelMode}-label, as set.
          </small>
        </fieldset>
        <div className="compare-buttons">
          <button type="submit" className="primary" data-testid="sweep-run" disabled={running || runActive || !triggers.trim()}>
            Run sweep
          </button>
          <button type="button" data-testid="sweep-cancel" disabled={!running} onClick={() => void actions.cancelSweep()}>
            Cancel
          </button>
        </div>
      </form>
      <p className="status" data-testid="sweep-status" data-status={sweep.status}>
        {running && sweep.progress
          ? `Cell ${sweep.progress.cell + 1} of ${sweep.progress.cells} (“${sweep.progress.name}”): ${sweep.progress.stage && isStageName(sweep.progress.stage) ? stageLabel(sweep.progress.stage) : 'loading data'}…`
          : running
            ? 'Starting…'
            : sweep.status === 'cancelled'
              ? 'Sweep cancelled.'
              : null}
      </p>
      {running && sweep.progress && <progress max={sweep.progress.cells} value={sweep.progress.cell + stageShare(sweep.progress.stage, stages)} aria-label="Sweep progress" />}
      {sweep.cells.length > 0 && (
        <div className="table-scroll">
          <table className="sweep-table" data-testid="sweep-table">
            <thead>
              <tr>
                {axes.map((a) => (
                  <th key={a.key} scope="col">
                    {a.heading(sweptKind)}
                  </th>
                ))}
                {methods.map((m) => (
                  <th key={m} scope="col">
                    {METHOD_LABEL[m]}
                  </th>
                ))}
                <th scope="col">
                  <abbr title="The clean public task model's ASR on the same triggered sentences: a trigger can move a clean model by itself. No defense is expected below it.">Clean-model floor</abbr>
                </th>
              </tr>
            </thead>
            <tbody>
              {infos.map(({ info, results }) => (
                // data-pretrain-cached: whether this cell reused the pretrained student (the tests read it).
                <tr
                  key={info.cell}
                  data-testid={`sweep-row-${info.cell}`}
                  data-pretrain-cached={String(results.stages.pretrain?.cached === true)}
                  data-planted={results.attack ? String(results.attack.planted) : undefined}
                  className={results.attack && !results.attack.planted ? 'attack-failed' : undefined}
                >
                  {axes.map((a) => (
                    <th key={a.key} scope="row">
                      {a.show(info)}
                      {results.attack && !results.attack.planted && (
                        <small className="failed-note">
                          <br />
                          attack failed: dev ASR {percent(results.attack.devAsr)} &lt; {percent(results.attack.threshold)}, no defense run
                        </small>
                      )}
                    </th>
                  ))}
                  {methods.map((m) => {
                    const r = at(info.cell, m);
                    return (
                      <td key={m} style={{ background: r ? `rgba(213, 94, 0, ${(r.asr * 0.7).toFixed(3)})` : undefined }}>
                        {r && (
                          <>
                            <span data-testid={`sweep-cell-${info.cell}-${m}-asr`}>ASR {percent(r.asr)}</span>
                            <br />
                            <small data-testid={`sweep-cell-${info.cell}-${m}-ca`}>CA {percent(r.ca)}</small>
                          </>
                        )}
                      </td>
                    );
                  })}
                  <td data-testid={`sweep-cell-${info.cell}-floor`}>{results.floors?.cleanModelAsr != null ? percent(results.floors.cleanModelAsr) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">Cell colour: the ASR — the darker, the more the trigger still works. A row marked “attack failed” never planted its backdoor, so its defenses were not run.</p>
        </div>
      )}
    </section>
  );
}

/** How far into its cell a sweep is: the share of the cell's stages before `stage` (0 while loading data). */
function stageShare(stage: string | null, stages: readonly StageName[]): number {
  const at = stage ? stages.indexOf(stage as StageName) : -1;
  return at < 0 ? 0 : at / stages.length;
}
