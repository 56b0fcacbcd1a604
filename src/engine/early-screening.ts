/**
 * ONION's screening, begun while the attacker's stages still train. A verdict depends only on its text
 * and the clean pretrained LM, both known before the task model, the attack and the teacher exist; and
 * those stages train on one core, so a lane on a spare core can screen meanwhile. The pipeline stops the
 * lanes when the defenses begin and hands the verdicts to the filter's stage, which screens only the rest
 * (its numbers do not change: a verdict is the same on any engine, shared-screening.ts).
 */
import type { ExperimentConfig } from './config';
import type { Emit } from './events';
import type { PreparedData } from './prepared-data';
import type { Rng } from './rng';
import { PROCEDURES, sharesScreening } from './defenses/registry';
import { defenseStage } from './stages';
import type { DefenseLane, LaneFactory, LaneSetup } from './defense-lanes';
import type { DefenseId } from './defenses/catalog';
import type { Screened } from './defenses/input-filter';
import { longestFirst, SCREEN_CHUNK } from './defenses/shared-screening';
import { errorMessage } from './error-message';

export interface EarlyScreening {
  /** Closes the lanes at once (a chunk in flight is dropped) and hands back every verdict they returned. */
  finish(): Map<string, Screened>;
}

/**
 * Opens `lanes.count` lanes without the attacked models and screens `texts` with `method`'s filter in
 * chunks, longest first, until `finish`. A lane that fails or cannot open costs only its share: the
 * filter's stage screens what is left.
 */
export function screenEarly(method: DefenseId, texts: readonly string[], lanes: LaneFactory, setup: Omit<LaneSetup, 'models'>, emit: Emit): EarlyScreening {
  const queue = longestFirst(texts).map((i) => texts[i]!);
  const verdicts = new Map<string, Screened>();
  const stop = new AbortController();
  const open: DefenseLane[] = [];
  const work = async () => {
    const lane = await lanes.open(setup, () => {}, stop.signal);
    if (stop.signal.aborted) return lane.close();
    open.push(lane);
    while (queue.length > 0 && !stop.signal.aborted) {
      const chunk = queue.splice(0, SCREEN_CHUNK);
      try {
        const out = await lane.screen(method, chunk);
        if (stop.signal.aborted) return; // the stage has taken the verdicts it was handed
        chunk.forEach((t, i) => verdicts.set(t, out[i]!));
      } catch (error) {
        queue.push(...chunk);
        throw error;
      }
    }
    // Out of texts: its engine is freed now rather than when the defenses begin.
    if (!stop.signal.aborted) open.splice(open.indexOf(lane), 1).forEach((l) => l.close());
  };
  for (let i = 0; i < lanes.count; i++) {
    work().catch((error: unknown) => {
      if (!stop.signal.aborted) emit({ type: 'log', level: 'warn', message: `A second engine stopped screening ahead for ${method} (${errorMessage(error)}); its stage screens the rest.` });
    });
  }
  if (lanes.count > 0) emit({ type: 'log', level: 'info', message: `${method}: ${lanes.count} more engine(s) screen its ${texts.length} texts while the attacker's stages train.` });
  return {
    finish() {
      stop.abort();
      open.splice(0).forEach((lane) => lane.close());
      return verdicts;
    },
  };
}

/**
 * The early screening of the run's first method that shares its screening and lists its texts, from the
 * stream its stage will draw them from; none without lanes.
 */
export function startEarlyScreening(cfg: ExperimentConfig, data: PreparedData, rng: Rng, lanes: LaneFactory | undefined, setup: Omit<LaneSetup, 'models'>, emit: Emit): { method: DefenseId; screening: EarlyScreening } | undefined {
  const method = cfg.defense.methods.find((m) => sharesScreening(m) && PROCEDURES[m].screenedTexts);
  if (!lanes || lanes.count === 0 || method === undefined) return undefined;
  const texts = PROCEDURES[method].screenedTexts!({ cfg, data, rng: rng.fork(defenseStage(method)) });
  return { method, screening: screenEarly(method, texts, lanes, setup, emit) };
}
