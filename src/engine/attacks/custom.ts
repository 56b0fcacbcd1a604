/** Any phrase the user types, inserted as one phrase (as InSent inserts its sentence). */
import { phraseAttack } from './insert';

export const custom = phraseAttack({
  label: 'Your own phrase',
  description: 'any word or phrase you type, inserted as one phrase',
  defaultTrigger: 'cf',
});
