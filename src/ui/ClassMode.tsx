/**
 * Class mode: a short guided walkthrough, each step pointing at the part of the page it explains
 * (outlined, scrolled into view, its explore tab opened), with the box beside it, never over it
 * (`tour-placement.ts`). Off by default; a teacher turns it on or off with the header switch, and the
 * choice is remembered in this browser. Non-modal: the lab stays usable while it is open.
 */
import { useLayoutEffect, useRef, useState } from 'react';
import type { ExploreTab } from '../store/lab-store';
import { useLab } from './lab-context';
import type { Side } from './tour-placement';
import { useTourPosition } from './use-tour-position';

interface Step {
  /** `data-testid` of the element the step points at. */
  target: string;
  title: string;
  text: string;
  /** The explore tab the step is about: opened when the step shows. */
  opens?: ExploreTab;
  /** Sides of the target to try first for the box (then any side that fits). */
  prefer?: readonly Side[];
}

/** A tab's view is below it: the box goes above, leaving the view's first line (its conclusion) in sight. */
const ABOVE: readonly Side[] = ['above'];
/** Below the strip and the chart: the legend and the other chart stay in sight. */
const BELOW: readonly Side[] = ['below'];
const NO_PREFERENCE: readonly Side[] = [];

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
    prefer: BELOW,
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
    prefer: BELOW,
    title: 'Reading CA and ASR',
    text: 'CA (clean accuracy) is accuracy on the clean test set: it should stay high. ASR (attack success rate) is the share of triggered non-target sentences the model sends to the target label: high after poisoning, low after a good defense.',
  },
  {
    target: 'tab-location',
    opens: 'location',
    prefer: ABOVE,
    title: 'Where the backdoor lives',
    text: 'After a run, this tab puts one part of the poisoned model back as it was before the attack — the trigger’s own word vectors, each layer, the head — one at a time, and measures the ASR again. Its first line says, from those numbers, which part holds the backdoor, or that no single part does.',
  },
  {
    target: 'tab-try',
    opens: 'try',
    prefer: ABOVE,
    title: 'See it for yourself',
    text: 'After a run, try a sentence with and without the trigger: the heat strip shows which words decided the prediction. The feature map shows where triggered sentences land before and after unlearning.',
  },
];

const STORAGE_KEY = 'w2s-class-mode';

export function ClassMode() {
  const [on, setOn] = useState(() => readStored());
  const [step, setStep] = useState(0);
  const current = TOUR[step]!;
  const setExploreTab = useLab((s) => s.setExploreTab);
  const box = useRef<HTMLElement>(null);

  // Before the box is placed (layout effects run in order): the tab opened, the target in the middle of the window.
  useLayoutEffect(() => {
    if (!on) return;
    if (current.opens) setExploreTab(current.opens);
    const el = document.querySelector(`[data-testid="${current.target}"]`);
    el?.classList.add('tour-target');
    // Instant, not smooth: the box is placed from where the target ends up.
    el?.scrollIntoView({ block: 'center', behavior: 'auto' });
    return () => el?.classList.remove('tour-target');
  }, [on, current.target, current.opens, setExploreTab]);
  const placement = useTourPosition(on ? current.target : null, step, box, current.prefer ?? NO_PREFERENCE);

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
        <aside
          ref={box}
          className="tour"
          data-testid="tour-step"
          data-step={step}
          data-target={current.target}
          data-side={placement?.side}
          // Measured unseen first, then shown where it fits.
          style={placement ? { left: placement.left, top: placement.top } : { left: 0, top: 0, visibility: 'hidden' }}
          role="dialog"
          aria-modal="false"
          aria-labelledby="tour-title"
        >
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
