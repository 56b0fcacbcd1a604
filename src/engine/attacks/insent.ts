/** InSent (Dai et al. 2019): a whole fixed sentence, `I watched this 3D movie`, inserted as one phrase. */
import { insertedWords, type AttackSpec } from './attack-spec';
import { insertPhrase } from './insert';

export const insent: AttackSpec = {
  label: 'InSent (a sentence)',
  description: 'a fixed sentence such as “I watched this 3D movie”, inserted as one phrase',
  usesTriggerText: true,
  defaultTrigger: 'I watched this 3D movie',
  apply: (text, { trigger, position }, rng) => insertPhrase(text, trigger, position, rng),
  triggerWords: insertedWords,
  addedText: (s) => s.trigger,
  triggerName: (s) => `“${s.trigger}”`,
};
