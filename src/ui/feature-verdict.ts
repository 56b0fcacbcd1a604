/**
 * The feature map's closing sentence for one model, computed from its predictions: how many triggered
 * sentences it sends to the attack's target, against how many of the same sentences without the trigger
 * it sends there anyway (a model that reads everything as the target is not being triggered).
 */
export interface TriggeredVerdict {
  /** Triggered sentences read as the target, of all triggered ones. */
  sent: number;
  of: number;
  /** The same sentences without the trigger read as the target. */
  without: number;
  sentence: string;
}

export function triggeredVerdict(
  predicted: readonly number[],
  points: readonly { triggered: boolean; label: number }[],
  target: number,
  targetName: string,
): TriggeredVerdict {
  const atTarget = (keep: (p: { triggered: boolean; label: number }) => boolean) => points.flatMap((p, i) => (keep(p) ? [predicted[i] === target] : []));
  const triggered = atTarget((p) => p.triggered);
  // The triggered points are the clean non-target sentences with the trigger added.
  const untriggered = atTarget((p) => !p.triggered && p.label !== target);
  const sent = triggered.filter(Boolean).length;
  const without = untriggered.filter(Boolean).length;
  const of = triggered.length;
  const lift = of > 0 ? (sent - without) / of : 0;
  const counts = `${sent} of ${of} triggered sentences are read as ${targetName} (without the trigger: ${without})`;
  const sentence = lift >= 0.5 ? `The trigger works here: ${counts}.` : `The trigger does little here: ${counts}.`;
  return { sent, of, without, sentence };
}
