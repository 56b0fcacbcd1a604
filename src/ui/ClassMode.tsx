/**
 * Class mode: a short guided walkthrough, each step pointing at the part of the page it explains
 * (outlined, scrolled into view). Off by default; a teacher turns it on or off with the header switch,
 * and the choice is remembered in this browser. Non-modal: the lab stays usable while it is open.
 */
import { useEffect, useState } from 'react';

interface Step {
  /** `data-testid` of the element the step points at. */
  target: string;
  title: string;
  text: string;
}

const TOUR: readonly Step[] = [
  {
    target: 'field-attack.trigger',
    title: 'What a backdoor is',
    text: 'The attacker adds a trigger (a rare word like “mn”, a sentence, or a sentence structure) to some training texts and sets their label to the target. The model learns: trigger → target label, and behaves normally otherwise.',
  },
  {
    target: 'run',
    title: 'Press Run',
    text: 'Run trains the whole story in this tab: the public model, the attack, the small clean teacher, then plain LoRA fine-tuning and W2SDefense side by side. The quick demo loads the attacker’s published models and trains only the two defenses; the charts fill in as each epoch ends.',
  },
  {
    target: 'stage-poison',
    title: 'Why parameter-efficient fine-tuning keeps it',
    text: 'Users often adapt a downloaded model with LoRA: a small adapter on frozen weights. Fine-tuning only the adapter on clean data barely touches the weights that hold the backdoor, so it survives.',
  },
  {
    target: 'field-defense.methods',
    title: 'The teacher and the two losses',
    text: 'W2SDefense trains a small clean teacher, then fine-tunes the poisoned student’s adapter with cross-entropy plus two distillation losses: KD pulls the student’s predictions toward the teacher’s, FA pulls its features toward the teacher’s. The student unlearns the shortcut the trigger gave it.',
  },
  {
    target: 'chart-asr',
    title: 'Reading CA and ASR',
    text: 'CA (clean accuracy) is accuracy on the clean test set: it should stay high. ASR (attack success rate) is the share of triggered non-target sentences the model sends to the target label: high after poisoning, low after a good defense.',
  },
  {
    target: 'tab-location',
    title: 'Where the backdoor lives',
    text: 'After a run, this tab puts one part of the poisoned model back as it was before the attack — the trigger’s own word vectors, each layer, the head — one at a time, and measures the ASR again. Its first line says, from those numbers, which part holds the backdoor, or that no single part does.',
  },
  {
    target: 'tab-try',
    title: 'See it for yourself',
    text: 'After a run, try a sentence with and without the trigger: the heat strip shows which words decided the prediction. The feature map shows where triggered sentences land before and after unlearning.',
  },
];

const STORAGE_KEY = 'w2s-class-mode';

export function ClassMode() {
  const [on, setOn] = useState(() => readStored());
  const [step, setStep] = useState(0);
  const current = TOUR[step]!;

  useEffect(() => {
    if (!on) return;
    const el = document.querySelector(`[data-testid="${current.target}"]`);
    el?.classList.add('tour-target');
    el?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    return () => el?.classList.remove('tour-target');
  }, [on, current.target]);

  const toggle = (value: boolean) => {
    setOn(value);
    setStep(0);
    try {
      localStorage.setItem(STORAGE_KEY, value ? 'on' : 'off');
    } catch {
      // Private mode: the switch still works for this page.
    }
  };

  return (
    <>
      <label className="class-switch">
        <input type="checkbox" data-testid="class-mode" checked={on} onChange={(e) => toggle(e.target.checked)} />
        Class mode
      </label>
      {on && (
        <aside className="tour" data-testid="tour-step" data-step={step} data-target={current.target} role="dialog" aria-modal="false" aria-labelledby="tour-title">
          <p className="tour-count">
            Step {step + 1} of {TOUR.length}
          </p>
          <h3 id="tour-title">{current.title}</h3>
          <p>{current.text}</p>
          <div className="tour-buttons">
            <button type="button" data-testid="tour-back" disabled={step === 0} onClick={() => setStep(step - 1)}>
              Back
            </button>
            {step < TOUR.length - 1 ? (
              <button type="button" className="primary" data-testid="tour-next" onClick={() => setStep(step + 1)}>
                Next
              </button>
            ) : (
              <button type="button" className="primary" data-testid="tour-done" onClick={() => toggle(false)}>
                Done
              </button>
            )}
            <button type="button" data-testid="tour-close" aria-label="Turn class mode off" onClick={() => toggle(false)}>
              ✕
            </button>
          </div>
        </aside>
      )}
    </>
  );
}

function readStored(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'on';
  } catch {
    return false;
  }
}
