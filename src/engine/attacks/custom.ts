/** Any phrase the user types, inserted as one phrase (as InSent inserts its sentence). */
import { insertedWords, type AttackSpec } from './attack-spec';
import { insertPhrase } from './insert';

export const custom: AttackSpec = {
  label: 'Your own phrase',
  description: 'any word or phrase you type, inserted as one phrase',
  usesTriggerText: true,
  defaultTrigger: 'cf',
  apply: (text, { trigger, position }, rng) => insertPhrase(text, trigger, position, rng),
  triggerWords: insertedWords,
  addedText: (s) => s.trigger,
  triggerName: (s) => `“${s.trigger}”`,
};
