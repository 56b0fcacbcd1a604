/**
 * The scheduler of defenses side by side, with scripted engines (no tensors): who runs what, in which
 * order results come back, and how a failure or a cancel ends the others.
 */
import { describe, expect, it } from 'vitest';
import type { DefenseId } from './defenses/catalog';
import type { DefenseOutcome } from './defenses/procedure';
import type { LabEvent, StageResult } from './events';
import type { StudentModel } from './models/student';
import { laneCount, lanesForCores, runDefenses, type DefenseLane, type LaneFactory } from './defense-lanes';
import { CancelledError } from './train/context';

const result = (asr: number): StageResult => ({ epochs: [], final: { ca: 0.9, asr, asrBase: 0.1 }, seconds: 1, samplesPerSecond: 10 });
const model = (label: string) => ({ label, dispose() {} }) as unknown as StudentModel;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * A scripted engine: every method takes `ticks` timer ticks (here 3, a lane 1, so the order is fixed);
 * `fail` names the one that throws.
 */
function scripted(where: string, log: string[], fail?: DefenseId, ticks = where === 'here' ? 3 : 1) {
  return async (method: DefenseId, signal?: AbortSignal): Promise<DefenseOutcome> => {
    log.push(`${where}:${method}`);
    for (let i = 0; i < ticks; i++) await tick();
    if (signal?.aborted) throw new CancelledError();
    if (method === fail) throw new Error(`${method} broke`);
    return { kind: 'repair', result: result(0.1), model: model(`${where}:${method}`) };
  };
}

function lanes(count: number, log: string[], opts: { failOpen?: boolean; fail?: DefenseId } = {}): LaneFactory {
  return {
    count,
    async open(_setup, _emit, signal) {
      await tick();
      if (opts.failOpen) throw new Error('no worker here');
      const run = scripted('lane', log, opts.fail);
      const lane: DefenseLane = {
        run: async (method) => {
          const out = await run(method, signal);
          return { result: out.result, weights: {} };
        },
        close: () => log.push('lane closed'),
      };
      return lane;
    },
  };
}

function schedule(methods: DefenseId[], log: string[], events: LabEvent[], extra: Partial<Parameters<typeof runDefenses>[0]> = {}) {
  return runDefenses({
    methods,
    here: scripted('here', log),
    setup: async () => ({ config: {} as never, dataset: {} as never, poisoned: {}, teacher: {} }),
    adopt: (method) => model(`adopted:${method}`),
    emit: (e) => events.push(e),
    ...extra,
  });
}

describe('defenses side by side', () => {
  it('opens one lane per repair beyond the first, at most the factory offers and one per spare core up to 3', () => {
    const factory = lanes(3, []);
    expect(laneCount(['lora', 'w2sdefense'], factory)).toBe(1);
    expect(laneCount(['lora', 'onion', 'strip'], factory)).toBe(0);
    expect(laneCount(['lora', 'w2sdefense', 'kd-only', 'fa-only', 'nad'], factory)).toBe(3);
    expect(laneCount(['lora', 'w2sdefense'], undefined)).toBe(0);
    expect([1, 2, 4, 16].map(lanesForCores)).toEqual([0, 1, 3, 3]);
  });

  it('runs every method once, lanes taking repairs only, and ends each with its stage-end', async () => {
    const log: string[] = [];
    const events: LabEvent[] = [];
    const methods: DefenseId[] = ['lora', 'onion', 'w2sdefense', 'kd-only'];
    const outcomes = await schedule(methods, log, events, { lanes: lanes(1, log) });
    expect([...outcomes.keys()].sort()).toEqual([...methods].sort());
    const ran = log.filter((l) => l.includes(':'));
    // Here takes the first; the lane, once open, the next repair each time it frees up; ONION stays here.
    expect(ran).toEqual(['here:lora', 'lane:w2sdefense', 'lane:kd-only', 'here:onion']);
    expect(log).toContain('lane closed');
    // A lane's model comes back through `adopt` (its weights, in this engine).
    const fromLane = ran.find((l) => l.startsWith('lane:'))!.split(':')[1] as DefenseId;
    expect((outcomes.get(fromLane) as unknown as { model: { label: string } }).model.label).toBe(`adopted:${fromLane}`);
    const ends = events.filter((e) => e.type === 'stage-end').map((e) => (e as { stage: string }).stage);
    expect(ends.sort()).toEqual(methods.map((m) => `defense:${m}`).sort());
    expect(events.some((e) => e.type === 'log' && e.message.includes('side by side'))).toBe(true);
  });

  it('without lanes runs everything here, in the config’s order', async () => {
    const log: string[] = [];
    await schedule(['w2sdefense', 'lora'], log, []);
    expect(log).toEqual(['here:w2sdefense', 'here:lora']);
  });

  it('a lane that cannot open costs speed, not the run: its defenses run here, with a warning', async () => {
    const log: string[] = [];
    const events: LabEvent[] = [];
    const outcomes = await schedule(['lora', 'w2sdefense', 'kd-only'], log, events, { lanes: lanes(2, log, { failOpen: true }) });
    expect(outcomes.size).toBe(3);
    expect(log.every((l) => l.startsWith('here:'))).toBe(true);
    expect(events.some((e) => e.type === 'log' && e.level === 'warn' && e.message.includes('no worker here'))).toBe(true);
  });

  it('a failing defense stops the others and its own error is thrown, not the cancellations it caused', async () => {
    const log: string[] = [];
    const run = schedule(['lora', 'w2sdefense', 'kd-only', 'fa-only'], log, [], { lanes: lanes(1, log, { fail: 'w2sdefense' }) });
    await expect(run).rejects.toThrow('w2sdefense broke');
  });

  it('a cancel ends the run with a CancelledError', async () => {
    const controller = new AbortController();
    const log: string[] = [];
    const run = schedule(['lora', 'w2sdefense', 'kd-only'], log, [], { lanes: lanes(1, log), signal: controller.signal });
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });
});
