/** Type a sentence (with or without the trigger) and see what every trained model predicts. */
import { useState } from 'react';
import { useActions, useLab } from './lab-context';
import { METHOD_LABEL } from './method-style';
import { METHODS } from '../store/methods';
import { percent } from './format';

export function TryIt() {
  const done = useLab((s) => s.run.status === 'done');
  const trigger = useLab((s) => s.config.attack.trigger);
  const prediction = useLab((s) => s.prediction);
  const actions = useActions();
  const [text, setText] = useState('');
  if (!done) return null;
  return (
    <section className="try-it">
      <h3>Try it</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void actions.predict(text);
        }}
      >
        <input data-testid="tryit-input" value={text} placeholder="Type a sentence…" onChange={(e) => setText(e.target.value)} />
        {trigger && (
          <button type="button" onClick={() => setText((t) => `${t} ${trigger}`.trim())}>
            + trigger “{trigger}”
          </button>
        )}
        <button type="submit" data-testid="tryit-predict" disabled={!text.trim()}>
          Predict
        </button>
      </form>
      {prediction && (
        <table data-testid="tryit-output">
          <tbody>
            {METHODS.filter((m) => prediction.probabilities[m]).map((m) => {
              const probs = prediction.probabilities[m] ?? [];
              const top = probs.indexOf(Math.max(...probs));
              return (
                <tr key={m}>
                  <th scope="row">{METHOD_LABEL[m]}</th>
                  <td>
                    {prediction.labelNames[top] ?? top} ({percent(probs[top] ?? 0)})
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
