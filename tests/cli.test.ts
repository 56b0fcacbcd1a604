/**
 * The Node runner's contract: flags, exit codes, one clear line on bad input, and the shape of
 * results.json / events.jsonl that later checks rely on.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const SST2 = join(ROOT, '../shared/data/sst2');

async function experiment(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/cli/experiment.ts', ...args], { cwd: ROOT, timeout: 170_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'w2s-cli-'));
});

describe('npm run experiment', () => {
  it.each([
    [['--preset', 'nope'], /unknown preset "nope".*quick/],
    [['--attack', 'sideways'], /--attack: unknown attack "sideways"/],
    [['--seed', 'x'], /--seed: must be an integer/],
    [['--bogus'], /Unknown option '--bogus'.*--help/],
    [['--data', '/nonexistent/dir'], /nonexistent/],
    [['--shard', '0/2'], /--shard: splits a sweep: use it with --sweep FILE\.json/],
    [['--sweep', 'x.json', '--shard', '2/2'], /--shard: the shard "2\/2" is not i\/N with 0 ≤ i < N/],
    [['--sweep', 'x.json', '--shard', 'half'], /--shard: the shard "half" is not i\/N/],
    [['--merge', '--out', 'o'], /--merge: name the shard folders to merge/],
    [['--merge', 'a', 'b'], /--merge: needs --out DIR/],
    [['stray'], /unexpected argument "stray"; only --merge takes folders/],
    [['--merge', '/nonexistent/shard', '--out', 'o'], /--merge: \/nonexistent\/shard has no sweep\.json/],
  ])('%j exits 2 with one clear line', async (args, message) => {
    const { code, stderr } = await experiment(args as string[]);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(message);
  });

  it('rejects a config file with a poison rate of 150 %, naming the field', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ attack: { budgetKind: 'rate', budget: 1.5 } }));
    const { code, stderr } = await experiment(['--config', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/attack\.budget: a poison rate must be in \(0, 1\]/);
  });

  it('runs a tiny experiment on SST-2 and writes results.json and events.jsonl', async () => {
    const file = join(dir, 'tiny.json');
    await writeFile(
      file,
      JSON.stringify({
        data: { maxTrain: 160, maxTest: 60, maxLength: 16, vocabSize: 800 },
        models: { student: { layers: 1, dModel: 16, heads: 2, dFF: 32 }, teacher: { layers: 1, dModel: 8, heads: 2, dFF: 16 } },
        pretrain: { checkpoint: 'none', studentSteps: 4, teacherSteps: 2 },
        taskModel: { epochs: 1 },
        // Fixed epochs: one epoch plants no backdoor, and the defenses must run all the same.
        poison: { epochs: 1, untilAsr: 0 },
        teacher: { epochs: 1 },
        defense: { epochs: 1, methods: ['lora', 'w2sdefense'] },
      }),
    );
    const out = join(dir, 'run');
    const { code, stdout, stderr } = await experiment(['--config', file, '--data', SST2, '--attack', 'insent', '--seed', '3', '--out', out, '--no-cache']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/backend wasm/);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.backend).toBe('wasm');
    expect(results.config.seed).toBe(3);
    expect(results.config.attack).toMatchObject({ kind: 'insent', trigger: 'I watched this 3D movie' });
    for (const stage of ['task', 'teacher', 'poison', 'defense:lora', 'defense:w2sdefense']) {
      const s = results.stages[stage];
      expect(s, stage).toBeDefined();
      const terms = stage === 'defense:w2sdefense' ? { terms: { ce: expect.any(Number), kd: expect.any(Number), fa: expect.any(Number) } } : {};
      // Only poisoning measures the triggered dev set (it decides when poisoning stops).
      const devAsr = stage === 'poison' ? { devAsr: expect.any(Number) } : {};
      expect(s.epochs[0]).toEqual({ epoch: 1, ca: expect.any(Number), asr: expect.any(Number), asrBase: expect.any(Number), loss: expect.any(Number), devAcc: expect.any(Number), ...devAsr, ...terms });
      expect(s.final).toEqual({ ca: expect.any(Number), asr: expect.any(Number), asrBase: expect.any(Number) });
      expect(s.seconds).toBeGreaterThan(0);
      expect(s.samplesPerSecond).toBeGreaterThan(0);
    }
    const events = (await readFile(join(out, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(events.at(-1).type).toBe('done');
    // Every line carries the wall seconds since the run began, never decreasing.
    const elapsed = events.map((e) => e.elapsedSeconds as number);
    expect(elapsed.every((t, i) => t >= 0 && (i === 0 || t >= elapsed[i - 1]!))).toBe(true);
    expect(stdout).toMatch(/✔ task: .*\[at \d+ s\]/);
    expect(events.filter((e) => e.type === 'epoch' && e.stage === 'poison')).toHaveLength(1);
    expect(results.attack).toEqual({ planted: expect.any(Boolean), devAsr: results.stages.poison.epochs[0].devAsr, epochs: 1, threshold: 0.95 });
    expect(results.floors).toEqual({ cleanModelAsr: results.stages.task.final.asr, triggered: expect.any(Number), cleanTest: 60 });
    expect(stdout).toMatch(/attack (planted|NOT planted): dev ASR .* after 1 epoch\(s\), needs +95\.0%/);
    expect(stdout).toMatch(new RegExp(`ASR rests on ${results.floors.triggered} triggered test sentences`));
  });
});
