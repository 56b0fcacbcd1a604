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
import type { Screened } from './defenses/input-filter';
import { screenShared, type ScreenHelpers } from './defenses/shared-screening';

/**
 * Here, as the pipeline: repairs scripted, ONION a shared screening of `texts` (here three ticks a chunk),
 * whose verdicts land in `screened`.
 */
function hereSharing(log: string[], texts: string[], screened: Screened[][]) {
  const repair = scripted('here', log);
  return async (method: DefenseId, signal: AbortSignal, helpers: ScreenHelpers): Promise<DefenseOutcome> => {
    if (method !== 'onion') return repair(method, signal);
    const here = async (chunk: readonly string[]) => {
      log.push('here:screen:onion');
      for (let i = 0; i < 3; i++) await tick();
      return chunk.map(verdict('here'));
    };
    const { verdicts } = await screenShared(texts, here, helpers);
    screened.push(verdicts);
    return { kind: 'filter', result: result(0.2), filter: { screen: async (t) => t.map(verdict('here')) } };
  };
}

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

/** A verdict naming the engine that screened the text. */
const verdict = (where: string) => (text: string): Screened => ({ text, flagged: false, rejected: false, note: where });

function lanes(count: number, log: string[], opts: { failOpen?: boolean; fail?: DefenseId; failScreen?: boolean; ticks?: number } = {}): LaneFactory {
  return {
    count,
    async open(_setup, _emit, signal) {
      await tick();
      if (opts.failOpen) throw new Error('no worker here');
      const run = scripted('lane', log, opts.fail, opts.ticks);
      const lane: DefenseLane = {
        run: async (method) => {
          const out = await run(method, signal);
          return { result: out.result, weights: {} };
        },
        screen: async (method, texts) => {
          log.push(`lane:screen:${method}`);
          await tick();
          if (opts.failScreen) throw new Error('the lane lost its filter');
          return texts.map(verdict('lane'));
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
    setup: async () => ({ config: {} as never, dataset: {} as never, models: { poisoned: {}, teacher: {} } }),
    adopt: (method) => model(`adopted:${method}`),
    emit: (e) => events.push(e),
    ...extra,
  });
}

describe('defenses side by side', () => {
  it('opens one lane per repair beyond the first, at most the factory offers and one per spare core up to 3', () => {
    const factory = lanes(3, []);
    expect(laneCount(['lora', 'w2sdefense'], factory)).toBe(1);
    expect(laneCount(['lora', 'strip'], factory)).toBe(0);
    // Every lane can screen for ONION once its repairs are done.
    expect(laneCount(['lora', 'onion', 'strip'], factory)).toBe(3);
    expect(laneCount(['onion'], lanes(1, []))).toBe(1);
    expect(laneCount(['lora', 'w2sdefense', 'kd-only', 'fa-only', 'nad'], factory)).toBe(3);
    expect(laneCount(['lora', 'w2sdefense'], undefined)).toBe(0);
    expect([1, 2, 4, 16].map(lanesForCores)).toEqual([0, 1, 3, 3]);
  });

  it('runs every method once, lanes taking repairs only, and ends each with its stage-end', async () => {
    const log: string[] = [];
    const events: LabEvent[] = [];
    const methods: DefenseId[] = ['lora', 'strip', 'w2sdefense', 'kd-only'];
    const outcomes = await schedule(methods, log, events, { lanes: lanes(1, log) });
    expect([...outcomes.keys()].sort()).toEqual([...methods].sort());
    const ran = log.filter((l) => l.includes(':'));
    // Here takes the first; the lane, once open, the next repair each time it frees up; STRIP stays here.
    expect(ran).toEqual(['here:lora', 'lane:w2sdefense', 'lane:kd-only', 'here:strip']);
    expect(log).toContain('lane closed');
    // A lane's model comes back through `adopt` (its weights, in this engine).
    const fromLane = ran.find((l) => l.startsWith('lane:'))!.split(':')[1] as DefenseId;
    expect((outcomes.get(fromLane) as unknown as { model: { label: string } }).model.label).toBe(`adopted:${fromLane}`);
    const ends = events.filter((e) => e.type === 'stage-end').map((e) => (e as { stage: string }).stage);
    expect(ends.sort()).toEqual(methods.map((m) => `defense:${m}`).sort());
    expect(events.some((e) => e.type === 'log' && e.message.includes('side by side'))).toBe(true);
  });

  it('with lanes, a repair that trains twice (NAD) starts first; alone, the config order stands', async () => {
    const log: string[] = [];
    await schedule(['w2sdefense', 'nad', 'kd-only'], log, [], { lanes: lanes(1, log) });
    expect(log.filter((l) => l.includes(':'))[0]).toBe('here:nad');
    const alone: string[] = [];
    await schedule(['w2sdefense', 'nad', 'kd-only'], alone, []);
    expect(alone).toEqual(['here:w2sdefense', 'here:nad', 'here:kd-only']);
  });

  it('runs NAD after the lora repair it builds on, on the engine that ran it, whoever that is', async () => {
    // With lanes: lora and NAD are the most work together, so this engine starts lora and takes NAD next,
    // though the lane frees up first and more repairs are left.
    const log: string[] = [];
    await schedule(['w2sdefense', 'kd-only', 'fa-only', 'nad', 'lora'], log, [], { lanes: lanes(1, log) });
    const ran = log.filter((l) => l.includes(':'));
    expect(ran.slice(0, 2)).toEqual(['here:lora', 'lane:w2sdefense']);
    expect(ran.filter((l) => l.startsWith('here:'))).toEqual(['here:lora', 'here:nad']);
    // A lane that cannot open hands its repair here; NAD still follows lora on the engine that ran it.
    const fallback: string[] = [];
    await schedule(['lora', 'w2sdefense', 'nad'], fallback, [], { lanes: lanes(1, fallback, { failOpen: true }) });
    expect(fallback.filter((l) => l.includes(':'))).toEqual(['here:lora', 'here:w2sdefense', 'here:nad']);
    // Alone: the config's order, but NAD listed before lora waits for it (and comes right after it).
    const alone: string[] = [];
    await schedule(['nad', 'w2sdefense', 'lora', 'kd-only'], alone, []);
    expect(alone).toEqual(['here:w2sdefense', 'here:lora', 'here:nad', 'here:kd-only']);
    const later: string[] = [];
    await schedule(['lora', 'w2sdefense', 'nad'], later, []);
    expect(later).toEqual(['here:lora', 'here:w2sdefense', 'here:nad']);
  });

  it('a lane out of repairs screens for ONION here, stays open until this engine is done, and changes no verdict', async () => {
    const log: string[] = [];
    const texts = Array.from({ length: 40 }, (_, i) => `text ${i}`);
    const screened: Screened[][] = [];
    const outcomes = await schedule(['lora', 'w2sdefense', 'onion'], log, [], { lanes: lanes(1, log), here: hereSharing(log, texts, screened) });
    expect(outcomes.size).toBe(3);
    expect(screened[0]!.map((v) => v.text)).toEqual(texts);
    const byLane = screened[0]!.filter((v) => v.note === 'lane').length;
    // The lane finishes w2sdefense while here still trains lora, then takes chunks at a tick each.
    expect(byLane).toBeGreaterThan(0);
    expect(byLane).toBeLessThan(40);
    expect(log.indexOf('lane:screen:onion')).toBeGreaterThan(log.indexOf('lane:w2sdefense'));
    expect(log.lastIndexOf('lane closed')).toBe(log.length - 1);
    expect(log.lastIndexOf('lane:screen:onion')).toBeLessThan(log.indexOf('lane closed'));
  });

  it('takes a filter that shares its screening last, after the filters that do not', async () => {
    const log: string[] = [];
    const screened: Screened[][] = [];
    await schedule(['onion', 'strip', 'lora'], log, [], { here: hereSharing(log, ['a', 'b'], screened) });
    expect(log.filter((l) => !l.includes(':screen:'))).toEqual(['here:strip', 'here:lora']);
    expect(log.indexOf('here:screen:onion')).toBeGreaterThan(log.indexOf('here:lora'));
  });

  it('a lane opened for ONION alone screens, and one that fails to screen hands its chunk back with a warning', async () => {
    const texts = Array.from({ length: 24 }, (_, i) => `text ${i}`);
    const log: string[] = [];
    const screened: Screened[][] = [];
    await schedule(['onion'], log, [], { lanes: lanes(1, log), here: hereSharing(log, texts, screened) });
    expect(screened[0]!.some((v) => v.note === 'lane')).toBe(true);

    const failing: string[] = [];
    const events: LabEvent[] = [];
    const again: Screened[][] = [];
    await schedule(['onion'], failing, events, { lanes: lanes(1, failing, { failScreen: true }), here: hereSharing(failing, texts, again) });
    expect(again[0]!.map((v) => v.text)).toEqual(texts);
    expect(again[0]!.every((v) => v.note === 'here')).toBe(true);
    expect(failing.filter((l) => l === 'lane:screen:onion')).toHaveLength(1);
    expect(events.some((e) => e.type === 'log' && e.level === 'warn' && e.message.includes('the lane lost its filter'))).toBe(true);
  });

  it('leaves the last repairs to the lanes, which can run nothing else, and filters meanwhile', async () => {
    const log: string[] = [];
    // The lane is still on w2sdefense when here is done with lora (4 ticks against 3): kd-only is left for it.
    await schedule(['lora', 'w2sdefense', 'kd-only', 'strip'], log, [], { lanes: lanes(1, log, { ticks: 4 }) });
    expect(log.filter((l) => l.includes(':'))).toEqual(['here:lora', 'lane:w2sdefense', 'here:strip', 'lane:kd-only']);
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
