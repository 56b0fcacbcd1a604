/**
 * Try it: type or pick a test sentence, toggle the run's trigger in and out (inserted where the attack
 * would put it), and see every trained model's prediction with a per-word heat strip of leave-one-out
 * attributions (a word's pieces summed; the trigger outlined), and a picked sentence's true label — the
 * trigger lights up in the poisoned student, and should not after unlearning.
 * Input filters show what they did instead: the words ONION removed (and the text the model then saw),
 * or STRIP's entropy against its threshold and whether it turned the input away.
 */
import { useEffect, useState } from 'react';
import type { Prediction } from '../../workers/protocol';
import { METHODS } from '../store/methods';
import { withTrigger } from '../engine/attacks/fixed-trigger';
import { ATTACKS } from '../engine/attacks/registry';
import { percent } from './format';
import { useActions, useLab } from './lab-context';
import { METHOD_LABEL } from './method-style';
import { TriggerPieces } from './TriggerPieces';
import { wordCells } from './word-attribution';

export function TryIt() {
  const done = useLab((s) => s.run.status === 'done');
  const attack = useLab((s) => s.run.results?.config.attack);
  const triggerReport = useLab((s) => s.run.results?.trigger);
  const prediction = useLab((s) => s.prediction);
  const samples = useLab((s) => s.trySamples);
  const actions = useActions();
  const [text, setText] = useState('');
  const [triggered, setTriggered] = useState(false);

  useEffect(() => {
    if (done) void actions.loadSamples();
  }, [done, actions]);

  if (!done || !attack) return null;
  const seen = (t: string, on: boolean) => (on && t.trim() ? withTrigger(t.trim(), attack) : t.trim());
  const predict = (t: string, on: boolean) => {
    const sent = seen(t, on);
    if (sent) void actions.predict(sent);
  };
  const triggerName = ATTACKS[attack.kind].triggerName(attack);
  const triggerWords = ATTACKS[attack.kind].triggerWords(attack);
  /** A picked test sentence's label, with or without the trigger (the trigger changes no true label). */
  const trueLabelOf = (shown: string) => samples.find((s) => s.text.trim() === shown || seen(s.text, true) === shown)?.labelName;

  return (
    <section className="try-it" aria-labelledby="try-title">
      <h3 id="try-title">Try it</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          predict(text, triggered);
        }}
      >
        {samples.length > 0 && (
          <select
            data-testid="try-pick"
            aria-label="Pick a test sentence"
            value=""
            onChange={(e) => {
              const picked = samples[Number(e.target.value)];
              if (!picked) return;
              setText(picked.text);
              predict(picked.text, triggered);
            }}
          >
            <option value="">Pick a test sentence…</option>
            {samples.map((s, i) => (
              <option key={i} value={i}>
                [{s.labelName}] {s.text.slice(0, 60)}
              </option>
            ))}
          </select>
        )}
        <input data-testid="try-input" aria-label="Sentence to classify" value={text} placeholder="Type a sentence…" onChange={(e) => setText(e.target.value)} />
        <label className="try-toggle">
          <input
            type="checkbox"
            data-testid="try-trigger-toggle"
            checked={triggered}
            onChange={(e) => {
              setTriggered(e.target.checked);
              predict(text, e.target.checked);
            }}
          />
          insert trigger {triggerName}
        </label>
        <button type="submit" data-testid="try-predict" disabled={!text.trim()}>
          Predict
        </button>
      </form>
      {triggerReport && (
        <p className="try-trigger" data-testid="try-trigger-pieces">
          The model reads the trigger as <TriggerPieces report={triggerReport} />
        </p>
      )}
      {prediction && <PredictionView prediction={prediction} triggerWords={triggerWords} trueLabel={trueLabelOf(prediction.text)} />}
    </section>
  );
}

function PredictionView({ prediction, triggerWords, trueLabel }: { prediction: Prediction; triggerWords: readonly string[]; trueLabel: string | undefined }) {
  const models = METHODS.filter((m) => prediction.probabilities[m]);
  // One scale for every strip, so models compare; a floor keeps noise in a flat model from glowing.
  // Each model's strip, per word, made once: the scale and the cells read the same words.
  const cells = Object.fromEntries(Object.entries(prediction.attributions).map(([m, s]) => [m, wordCells(prediction.tokens, s, triggerWords)]));
  const scale = Math.max(0.05, ...Object.values(cells).flatMap((row) => row.map((c) => Math.abs(c.score))));
  return (
    <div data-testid="try-output" data-text={prediction.text}>
      <p className="try-seen">
        Models see: <q>{prediction.text}</q>
        {trueLabel !== undefined && (
          <span data-testid="try-true-label">
            {' '}
            — true label: <strong>{trueLabel}</strong>
          </span>
        )}
      </p>
      <div className="table-scroll">
        <table className="try-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Prediction</th>
              <th scope="col">Word attributions (leave-one-out; a word's pieces summed)</th>
            </tr>
          </thead>
          <tbody data-testid="token-attr">
            {models.map((m) => {
              const probs = prediction.probabilities[m] ?? [];
              const top = probs.indexOf(Math.max(...probs));
              const screen = prediction.screens[m];
              if (screen) {
                return (
                  <tr key={m}>
                    <th scope="row">{METHOD_LABEL[m]}</th>
                    <td data-testid={`try-pred-${m}`} data-label={screen.rejected ? 'rejected' : top}>
                      {screen.rejected ? 'rejected' : `${prediction.labelNames[top] ?? top} (${percent(probs[top] ?? 0)})`}
                    </td>
                    <td data-testid={`try-screen-${m}`} data-flagged={String(screen.flagged)} className="try-screen">
                      {screen.removed && screen.removed.length > 0 && (
                        <span className="try-removed">
                          The poisoned student sees: <q>{screen.text}</q>.{' '}
                        </span>
                      )}
                      {screen.note}
                    </td>
                  </tr>
                );
              }
              return (
                <tr key={m}>
                  <th scope="row">{METHOD_LABEL[m]}</th>
                  <td data-testid={`try-pred-${m}`} data-label={top}>
                    {prediction.labelNames[top] ?? top} ({percent(probs[top] ?? 0)})
                  </td>
                  <td>
                    <div className="attr-strip" data-model={m} aria-label={`${METHOD_LABEL[m]}: word attributions`}>
                      {(cells[m] ?? wordCells(prediction.tokens, [], triggerWords)).map((cell, i) => (
                        <span
                          key={i}
                          className={cell.trigger ? 'attr-cell attr-trigger' : 'attr-cell'}
                          data-trigger={cell.trigger ? 'true' : undefined}
                          style={{ background: heat(cell.score / scale) }}
                          title={`${cell.pieces.length > 1 ? `${cell.pieces.join(' ')} (pieces summed)` : cell.word}${cell.trigger ? ', the trigger' : ''}: ${cell.score >= 0 ? '+' : ''}${cell.score.toFixed(3)}`}
                        >
                          {cell.word}
                        </span>
                      ))}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="hint">
        Colour: how much the predicted class’s probability drops without the token (orange supports the prediction, blue argues against it; hover for the number). Input filters put the poisoned
        student behind a screen: their row says what the screen did.
      </p>
    </div>
  );
}

/** -1…1 → a diverging colour (Okabe–Ito blue ↔ orange), transparent at 0. */
function heat(x: number): string {
  const a = Math.min(1, Math.abs(x));
  return x >= 0 ? `rgba(230, 159, 0, ${a.toFixed(3)})` : `rgba(0, 114, 178, ${a.toFixed(3)})`;
}
