/** InSent (Dai et al. 2019): a whole fixed sentence, `I watched this 3D movie`, inserted as one phrase. */
import { phraseAttack } from './insert';

export const insent = phraseAttack({
  label: 'InSent (a sentence)',
  description: 'a fixed sentence such as “I watched this 3D movie”, inserted as one phrase',
  defaultTrigger: 'I watched this 3D movie',
});
