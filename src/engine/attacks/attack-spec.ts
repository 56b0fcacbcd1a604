/**
 * What one attack is, for every part of the lab that meets it: how it changes a text, which words it
 * adds (the vocabulary keeps them, the backdoor probe resets their rows), how much room it needs in the
 * model's window, and how people see it named. One module per attack implements this; `registry.ts`
 * lists them. Pure text code: the page's main thread reads it too.
 */
import type { Rng } from '../rng';

/** Where an inserted trigger goes in a text. */
export type TriggerPosition = 'random' | 'start' | 'end';

/** The part of the attack settings a trigger reads. */
interface TriggerSettings {
  trigger: string;
  position: TriggerPosition;
}

export interface AttackSpec {
  /** For the attack menu. */
  label: string;
  /** One line for the help text. */
  description: string;
  /** Whether `attack.trigger` and `attack.position` mean anything to this attack (a rewrite reads neither). */
  usesTriggerText: boolean;
  /** The paper's trigger, the default text when the attack is picked ('' for a rewrite). */
  defaultTrigger: string;
  /** `text` carrying the trigger. Draws from `rng` only where the attack places words at random. */
  apply(text: string, settings: TriggerSettings, rng: Rng): string;
  /** The words the trigger brings into a text (lower-case): kept in the vocabulary, their rows probed. */
  triggerWords(settings: TriggerSettings): string[];
  /** The longest text the trigger adds, which the window leaves room for beside the sentence. */
  addedText(settings: TriggerSettings): string;
  /** How the try-it box and logs name the trigger. */
  triggerName(settings: TriggerSettings): string;
}

/** The trigger's own words, for attacks that insert `settings.trigger`. */
export function insertedWords(settings: TriggerSettings): string[] {
  return settings.trigger.toLowerCase().split(/\s+/).filter(Boolean);
}
