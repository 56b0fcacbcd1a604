/**
 * Says plainly when the attack planted no backdoor: every figure below is then about a weak backdoor
 * (fixed epochs) or, with `poison.untilAsr` set, the defenses did not run at all.
 */
import { notPlantedMessage } from '../engine/attacks/planted';
import { useLab } from './lab-context';

export function AttackNotice() {
  const attack = useLab((s) => s.run.attack);
  if (!attack || attack.planted) return null;
  return (
    <div className="notice attack-failed" role="status" data-testid="attack-not-planted" data-defenses-skipped={String(attack.defensesSkipped)}>
      {notPlantedMessage(attack, attack.defensesSkipped)}
    </div>
  );
}
