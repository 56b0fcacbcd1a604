/**
 * `npm run bench:science`: the paper presets on full SST-2 (from ../shared/data/sst2) for several
 * seeds, written as a paper-style table to docs/RESULTS.md (CA and ASR, mean ± sd, per method and
 * attack, plus wall time per stage). Measured, never asserted in CI.
 *
 *   npm run bench:science -- [--presets a,b] [--seeds 1,2,3] [--data DIR] [--out docs/RESULTS.md]
 *                            [--runs out/science] [--resume] [--report-only]
 *
 * Each run writes `<runs>/<preset>-seed<N>/results.json`; `--resume` keeps runs that already have one
 * (a long benchmark can be continued), `--report-only` only renders the table from what is there.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { configFromPreset, applyPatch, type ConfigPatch } from '../engine/config';
import type { RunResults, StageName } from '../engine/events';
import { meanStd } from '../engine/metrics/metrics';
import { initNodeBackend } from './backend';
import { runFromNode } from './run-experiment';
import { userFacingMessage } from './errors';

const ROWS: { stage: StageName; label: string }[] = [
  { stage: 'poison', label: 'Poisoned student (no defense)' },
  { stage: 'teacher', label: 'Teacher (clean, small)' },
  { stage: 'defense:lora', label: 'LoRA fine-tuning (baseline)' },
  { stage: 'defense:w2sdefense', label: 'W2SDefense (CE + KD + FA)' },
  { stage: 'defense:kd-only', label: 'Ablation: CE + KD' },
  { stage: 'defense:fa-only', label: 'Ablation: CE + FA' },
  { stage: 'defense:full-ft', label: 'Full fine-tuning' },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      presets: { type: 'string', default: 'paper-sst2-badnet,paper-sst2-insent' },
      seeds: { type: 'string', default: '1,2,3' },
      data: { type: 'string', default: '../shared/data/sst2' },
      out: { type: 'string', default: 'docs/RESULTS.md' },
      config: { type: 'string' },
      runs: { type: 'string', default: 'out/science' },
      resume: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
    },
  });
  const reportOnly = values['report-only']!;
  const backend = reportOnly ? 'wasm' : await initNodeBackend('wasm');
  const presets = values.presets!.split(',').map((s) => s.trim());
  const seeds = values.seeds!.split(',').map(Number);
  const patch: ConfigPatch = values.config ? (JSON.parse(await readFile(values.config, 'utf8')) as ConfigPatch) : {};
  const sections: string[] = [];
  for (const preset of presets) {
    const runs: { results: RunResults; wall: number }[] = [];
    for (const seed of seeds) {
      const config = applyPatch(applyPatch(configFromPreset(preset), patch), { seed });
      const outDir = join(values.runs!, `${preset}-seed${seed}`);
      const previous = await readResults(outDir);
      if (previous && (reportOnly || values.resume)) {
        runs.push({ results: previous, wall: previous.wallSeconds ?? Number.NaN });
        continue;
      }
      if (reportOnly) continue;
      console.log(`=== ${preset}, seed ${seed} → ${outDir}`);
      const start = performance.now();
      const results = await runFromNode({ config, dataDir: values.data!, outDir, backend, cacheDir: '.cache/models' });
      const wall = (performance.now() - start) / 1000;
      await writeFile(join(outDir, 'wall.json'), JSON.stringify({ wallSeconds: wall }));
      runs.push({ results, wall });
    }
    if (runs.length === 0) {
      sections.push(`## ${preset}\n\nNo finished run yet.\n`);
      continue;
    }
    sections.push(renderSection(preset, runs));
  }
  const doc = [
    '# Results: W2SDefense at browser scale',
    '',
    `Measured by \`npm run bench:science -- --presets ${presets.join(',')} --seeds ${seeds.join(',')}\` on ${new Date().toISOString().slice(0, 10)},`,
    `backend \`${backend}\` (Node), data \`${values.data}\`. CA = clean accuracy on the test set; ASR = share of triggered`,
    'non-target test samples classified as the target label. Mean ± sample sd over the seeds (one seed: the value).',
    'Seconds are training time only, on a 2-core machine that was sometimes running other jobs at the same time',
    '(the seed-1 runs at load average 4–7): compare them loosely with each other, not with `npm run bench`.',
    '',
    ...sections,
  ].join('\n');
  await mkdir(dirname(values.out!), { recursive: true });
  await writeFile(values.out!, `${doc}\n`);
  console.log(`wrote ${values.out}`);
}

/** A finished run's results (and its wall time, when recorded), or undefined. */
async function readResults(dir: string): Promise<(RunResults & { wallSeconds?: number }) | undefined> {
  try {
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
    const wall = await readFile(join(dir, 'wall.json'), 'utf8').then((t) => (JSON.parse(t) as { wallSeconds: number }).wallSeconds, () => undefined);
    return wall === undefined ? results : { ...results, wallSeconds: wall };
  } catch {
    return undefined;
  }
}

/** "mean ± sd" in percent; a single seed has no spread to show. */
const fmt = (xs: number[]) => {
  const { mean, sd } = meanStd(xs.map((x) => x * 100));
  return xs.length > 1 ? `${mean.toFixed(1)} ± ${sd.toFixed(1)}` : mean.toFixed(1);
};

function renderSection(preset: string, runs: { results: RunResults; wall: number }[]): string {
  const lines = [`## ${preset}`, '', '| Method | CA % | ASR % | seconds (train) |', '|---|---|---|---|'];
  for (const row of ROWS) {
    const stages = runs.map((r) => r.results.stages[row.stage]).filter((s) => s?.final);
    if (stages.length === 0) continue;
    const secs = meanStd(stages.map((s) => s!.seconds));
    lines.push(`| ${row.label} | ${fmt(stages.map((s) => s!.final!.ca))} | ${fmt(stages.map((s) => s!.final!.asr))} | ${secs.mean.toFixed(0)} |`);
  }
  const pre = runs.map((r) => r.results.stages.pretrain?.seconds ?? 0);
  lines.push(
    '',
    `Seeds: ${runs.map((r) => r.results.config.seed).join(', ')} (${runs.length} run${runs.length === 1 ? '' : 's'}). ` +
      `Wall time per run (all stages; the first run of a dataset also pretrains the shared checkpoints): ${runs.map((r) => (Number.isNaN(r.wall) ? 'n/a' : `${r.wall.toFixed(0)} s`)).join(', ')}; ` +
      `student pretraining ${pre.map((s) => `${s.toFixed(0)} s`).join(', ')} (a cached stage reports the time it took when it was trained).`,
    '',
  );
  const cfg = runs[0]!.results.config;
  lines.push(
    `Config: student ${cfg.models.student.layers}×${cfg.models.student.dModel}, teacher ${cfg.models.teacher.layers}×${cfg.models.teacher.dModel}, ` +
      `attack ${cfg.attack.kind} "${cfg.attack.trigger}" ${cfg.attack.labelMode}-label ${cfg.attack.budget} (${cfg.attack.budgetKind}), ` +
      `defense LoRA r=${cfg.defense.lora.rank} α=${cfg.defense.lora.alpha} on ${cfg.defense.lora.targets.join('/')}, ` +
      `weights CE ${cfg.defense.ce} / KD ${cfg.defense.kd} / FA ${cfg.defense.fa}, T=${cfg.defense.temperature}, ${cfg.defense.epochs} epochs at lr ${cfg.defense.lr}.`,
    '',
  );
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(`error: ${userFacingMessage(error)}`);
  process.exit(2);
});
