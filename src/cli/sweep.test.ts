/**
 * The Node runner's `--sweep` path end to end, on the CPU backend: a sweep file read from disk, one run
 * per cell of a tiny config on a tiny made-up dataset, the per-cell results and the summary written, the
 * pretrained student shared through the file cache, and bad sweep files rejected before anything trains.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyPatch, ConfigError } from '../engine/config';
import { configFromPreset } from '../engine/presets';
import type { RunResults } from '../engine/events';
import { mergeSweepFolders, readSweepFile, sweepFromNode } from './sweep';

/** Seconds on the CPU backend: one layer, eight wide, a couple of MLM steps, one epoch per stage. */
const TINY = applyPatch(configFromPreset('quick'), {
  data: { maxTrain: 0, maxTest: 0, maxLength: 10, vocabSize: 60 },
  attack: { kind: 'badnet', trigger: 'mn', budgetKind: 'rate', budget: 0.3, targetLabel: 0 },
  models: { student: { layers: 1, dModel: 8, heads: 2, dFF: 16 }, teacher: { layers: 1, dModel: 4, heads: 2, dFF: 8 }, dropout: 0 },
  pretrain: { checkpoint: 'none', studentSteps: 2, teacherSteps: 2, batchSize: 8 },
  taskModel: { epochs: 1, batchSize: 8 },
  poison: { epochs: 1, batchSize: 8, untilAsr: 0 }, // fixed epochs: every cell's defenses run
  teacher: { epochs: 1, batchSize: 8 },
  defense: { epochs: 1, batchSize: 8, methods: ['lora', 'w2sdefense', 'strip'] },
});

const tmp = mkdtempSync(join(tmpdir(), 'w2s-sweep-'));
const dataDir = join(tmp, 'data');

/** Two classes with their own words, so each split holds both labels. */
function writeTinyDataset(): void {
  mkdirSync(dataDir);
  const words = [['good', 'nice', 'fine', 'great', 'happy'], ['bad', 'awful', 'poor', 'sad', 'worse']];
  const rows = (n: number, offset: number) =>
    Array.from({ length: n }, (_, i) => {
      const label = i % 2;
      const w = words[label]!;
      const text = `the ${w[(i + offset) % 5]} movie was ${w[(i * 3 + offset) % 5]} and ${w[(i * 7 + offset) % 5]}`;
      return JSON.stringify({ text, label });
    }).join('\n');
  writeFileSync(join(dataDir, 'train.jsonl'), rows(64, 0));
  writeFileSync(join(dataDir, 'dev.jsonl'), rows(16, 1));
  writeFileSync(join(dataDir, 'test.jsonl'), rows(16, 2));
}

function writeSweep(name: string, content: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  writeTinyDataset();
  // The runner prints a line per cell and the table; the tests read the files instead.
  vi.spyOn(console, 'log').mockImplementation(() => {});
});

afterAll(() => {
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

describe('--sweep from Node', () => {
  it('runs 2 triggers × 2 label modes: a results folder per cell, the summary, one shared pretrained student', async () => {
    const outDir = join(tmp, 'out');
    const spec = await readSweepFile(writeSweep('sweep.json', { triggers: ['mn', 'cf'], labelModes: ['clean', 'dirty'] }));
    expect(spec).toEqual({ triggers: [{ kind: 'badnet', trigger: 'mn' }, { kind: 'badnet', trigger: 'cf' }], labelModes: ['clean', 'dirty'] });
    await sweepFromNode(TINY, spec, { outDir, backend: 'cpu', dataDir, cacheDir: join(tmp, 'cache'), verbose: false });

    const cells = [
      { name: 'mn-clean-label', trigger: 'mn', labelMode: 'clean' },
      { name: 'mn-dirty-label', trigger: 'mn', labelMode: 'dirty' },
      { name: 'cf-clean-label', trigger: 'cf', labelMode: 'clean' },
      { name: 'cf-dirty-label', trigger: 'cf', labelMode: 'dirty' },
    ];
    const results = cells.map((c) => JSON.parse(readFileSync(join(outDir, c.name, 'results.json'), 'utf8')) as RunResults);
    for (const [i, c] of cells.entries()) {
      expect(results[i]!.config.attack).toEqual({ ...TINY.attack, trigger: c.trigger, labelMode: c.labelMode });
      expect(existsSync(join(outDir, c.name, 'events.jsonl'))).toBe(true);
    }
    // Only the first cell pretrains; the rest load the student from the cache. The clean teacher is
    // reused across label modes, not across triggers: its stored ASR was measured with the other trigger.
    expect(results.map((r) => r.stages.pretrain?.cached === true)).toEqual([false, true, true, true]);
    expect(results.map((r) => r.stages.teacher?.cached === true)).toEqual([false, true, false, true]);

    const csv = readFileSync(join(outDir, 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('cell,trigger,budget,label_mode,method,ca,asr,asr_base');
    const methods = ['task-model', 'poisoned', 'teacher', 'lora', 'w2sdefense', 'strip']; // an input filter's row like a repair's
    expect(csv.slice(1).map((line) => line.split(',').slice(0, 5).join(','))).toEqual(
      cells.flatMap((c) => methods.map((m) => `${c.name},${c.trigger},0.3,${c.labelMode},${m}`)),
    );
    // Each row carries its own cell's and method's final figures, read back from that cell's results.json
    // (a bounds check would hold for any fraction, swapped rows or columns included).
    const stageOf: Record<string, string> = { 'task-model': 'task', poisoned: 'poison', teacher: 'teacher' };
    for (const line of csv.slice(1)) {
      const [cell, , , , method, ca, asr, asrBase] = line.split(',');
      const final = results[cells.findIndex((c) => c.name === cell)]!.stages[(stageOf[method!] ?? `defense:${method}`) as keyof RunResults['stages']]!.final!;
      expect([Number(ca), Number(asr), Number(asrBase)], `${cell} ${method}`).toEqual([final.ca, final.asr, final.asrBase]);
    }

    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as { cells: { name: string; labelMode: string; budget: number }[]; rows: unknown[] };
    expect(summary.cells.map((c) => [c.name, c.labelMode, c.budget])).toEqual(cells.map((c) => [c.name, c.labelMode, 0.3]));
    expect(summary.rows).toHaveLength(cells.length * methods.length);
  });

  it('--shard 0/2 and 1/2 on two "machines" (own caches), then --merge: the one-machine sweep, figure for figure', async () => {
    // Runs after the test above, whose `out` is the same sweep on one machine.
    const spec = await readSweepFile(writeSweep('sweep.json', { triggers: ['mn', 'cf'], labelModes: ['clean', 'dirty'] }));
    const shardDirs = [0, 1].map((index) => join(tmp, `shard-${index}`));
    for (const [index, outDir] of shardDirs.entries()) {
      await sweepFromNode(TINY, spec, { outDir, backend: 'cpu', dataDir, cacheDir: join(tmp, `cache-${index}`), verbose: false, shard: { index, count: 2 } });
    }
    expect(existsSync(join(shardDirs[0]!, 'mn-clean-label', 'results.json'))).toBe(true);
    expect(existsSync(join(shardDirs[0]!, 'mn-dirty-label'))).toBe(false);
    expect(existsSync(join(shardDirs[1]!, 'mn-dirty-label', 'results.json'))).toBe(true);

    const merged = join(tmp, 'merged');
    // Order of the folders does not matter: the summary follows the sweep's cell order.
    await mergeSweepFolders([shardDirs[1]!, shardDirs[0]!], merged);
    const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
    // The CPU backend is deterministic and each shard trains from the same seed, so a shard's freshly
    // trained student and teacher equal the one machine's cached ones: the summaries match exactly.
    expect(read(merged, 'summary.csv')).toBe(read(join(tmp, 'out'), 'summary.csv'));
    expect(JSON.parse(read(merged, 'summary.json'))).toEqual(JSON.parse(read(join(tmp, 'out'), 'summary.json')));
    for (const cell of ['mn-clean-label', 'mn-dirty-label', 'cf-clean-label', 'cf-dirty-label']) expect(existsSync(join(merged, cell, 'events.jsonl'))).toBe(true);
    expect(JSON.parse(read(merged, 'sweep.json')).shard).toEqual({ index: 0, count: 1 });

    // Merging what is not one whole sweep names the problem.
    await expect(mergeSweepFolders([shardDirs[0]!], join(tmp, 'm1'))).rejects.toThrow(/2 of 4 cells are missing \("mn-dirty-label", "cf-dirty-label"\); run --shard 1\/2/);
    await expect(mergeSweepFolders([shardDirs[0]!, shardDirs[0]!], join(tmp, 'm2'))).rejects.toThrow(/the cell "mn-clean-label" is in both/);
    const otherSweep = join(tmp, 'other');
    await sweepFromNode(applyPatch(TINY, { seed: 7 }), { triggers: [{ kind: 'badnet', trigger: 'mn' }] }, { outDir: otherSweep, backend: 'cpu', dataDir, verbose: false, shard: { index: 1, count: 2 } });
    await expect(mergeSweepFolders([shardDirs[0]!, otherSweep], join(tmp, 'm3'))).rejects.toThrow(/ran a different sweep than/);
    expect(existsSync(join(tmp, 'm1'))).toBe(false);
  });

  it('rejects a budget the budget kind does not allow, naming the cell and the field, before anything runs', async () => {
    const outDir = join(tmp, 'out-bad-budget');
    const spec = await readSweepFile(writeSweep('rate.json', { triggers: ['mn'], budgets: [0.2, 1.5] }));
    const run = sweepFromNode(TINY, spec, { outDir, backend: 'cpu', dataDir, verbose: false });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/^--sweep: cell "mn-budget-1\.5": attack\.budget a poison rate must be in \(0, 1\], got 1\.5/);
    expect(existsSync(outDir)).toBe(false);
  });

  it('rejects a malformed sweep file with a clear line', async () => {
    const read = (content: unknown) => readSweepFile(writeSweep('bad.json', content));
    await expect(read({ triggers: ['mn'], labelModes: ['clean', 'grey'] })).rejects.toThrow(/^--sweep: .*unknown label mode "grey" in "labelModes"; use "clean" or "dirty"/);
    await expect(read({ triggers: ['mn'], budgets: [0.1, 'lots'] })).rejects.toThrow(/^--sweep: .*"budgets" must be a list of positive numbers .*got "lots"/);
    await expect(read({ triggers: ['mn'], budgets: [0.1, -2] })).rejects.toThrow(/got -2/);
    await expect(read({ triggers: ['mn'], budget: [0.1] })).rejects.toThrow(/unknown key "budget"; known keys: triggers, budgets, labelModes/);
    await expect(read({ budgets: [0.1] })).rejects.toThrow(/needs a non-empty "triggers" list/);
    await expect(read('{"triggers": ')).rejects.toThrow(/^--sweep: cannot read .* as JSON/);
    await expect(read({ triggers: ['mn'], labelModes: 'clean' })).rejects.toThrow(ConfigError);
  });
});
