/** BadNet for text (Kurita et al. 2020): rare words such as `mn`, each scattered into the sentence on its own. */
import { insertedWords, type AttackSpec } from './attack-spec';
import { insertPhrase } from './insert';

export const badnet: AttackSpec = {
  label: 'BadNet (rare words)',
  description: 'rare words such as “mn”, each inserted at its own random gap',
  usesTriggerText: true,
  defaultTrigger: 'mn',
  apply(text, { trigger, position }, rng) {
    // At `start` / `end` the words go in together, in order; at `random` each gets its own gap, as
    // BadNet scatters its trigger tokens.
    if (position !== 'random') return insertPhrase(text, trigger, position, rng);
    let out = text;
    for (const word of trigger.trim().split(/\s+/)) out = insertPhrase(out, word, 'random', rng);
    return out;
  },
  triggerWords: insertedWords,
  addedText: (s) => s.trigger,
  triggerName: (s) => `“${s.trigger}”`,
};
