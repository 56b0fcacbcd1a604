/**
 * `npm run bench:science`: the paper presets on full SST-2 (from ../shared/data/sst2) and the quick
 * demo (on its bundled data) for several seeds, written as a paper-style table to
 * docs/results/science.md (CA, ASR and the ASR's floor, mean ± sd, per method and attack; where the
 * backdoor lives; the defense loss terms; wall time) with the lesson's targets checked against the
 * measured means. Measured, never asserted in CI.
 *
 *   npm run bench:science -- [--presets a,b] [--seeds 1,2,3] [--data DIR] [--out docs/results/science.md]
 *                            [--runs out/science] [--resume] [--report-only] [--eval dev] [--config PATCH.json]
 *
 * `--eval dev` measures on the dev split instead of test (choosing settings: no choice ever sees test);
 * `--config` lays a partial config over every preset (a lever under study).
 *
 * Each run writes `<runs>/<preset>-seed<N>/results.json`; `--resume` keeps runs that already have one
 * (a long benchmark can be continued), `--report-only` only renders the table from what is there.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ATTACKS } from '../engine/attacks/registry';
import { applyPatch, type ConfigPatch } from '../engine/config';
import { configFromPreset } from '../engine/presets';
import type { LabEvent, RunResults, StageName } from '../engine/events';
import { meanStd } from '../engine/metrics/metrics';
import { DEFENSE_IDS, DEFENSES, type DefenseKind } from '../engine/defenses/catalog';
import { defenseStage } from '../engine/stages';
import { initNodeBackend } from './backend';
import { runFromNode } from './run-experiment';
import { userFacingMessage } from './errors';
import { parseLanes } from './options';
import { meanOf, renderTargets, type Finished } from './science-targets';

/** The reference models, then every defense of the catalog: repairs, then input filters. */
const ROWS: { stage: StageName; label: string; group: 'model' | DefenseKind }[] = [
  { stage: 'task', label: 'Public task model (clean, before the attack)', group: 'model' },
  { stage: 'poison', label: 'Poisoned student (no defense)', group: 'model' },
  { stage: 'teacher', label: 'Teacher (clean, small)', group: 'model' },
  ...DEFENSE_IDS.map((id) => ({ stage: defenseStage(id), label: `${DEFENSES[id].label} — ${DEFENSES[id].procedure}`, group: DEFENSES[id].kind })),
];

const USAGE = `npm run bench:science -- [--presets a,b] [--seeds 1,2,3] [--data DIR] [--out FILE.md] [--runs DIR]
                         [--resume] [--report-only] [--eval test|dev] [--config PATCH.json] [--lanes N]
  --presets      presets to run (default quick,paper-sst2-badnet,paper-sst2-insent)
  --seeds        seeds per preset (default 1,2,3)
  --data         a {train,dev,test}.jsonl folder for the SST-2 presets (default ../shared/data/sst2)
  --eval dev     measure on the dev split (choosing settings: no choice ever sees test)
  --config       a partial config laid over every preset (a lever under study)
  --runs         where each run writes <preset>-seed<N>/results.json (default out/science)
  --resume       keep runs that already have a results.json; --report-only renders the table from them
  --lanes        extra engines for the defenses (0: this one only)`;

const GROUP_TITLE: Record<(typeof ROWS)[number]['group'], string> = { model: 'Models', repair: 'Repairs (new weights)', filter: 'Input filters (the poisoned student behind a screen)' };

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      presets: { type: 'string', default: 'quick,paper-sst2-badnet,paper-sst2-insent' },
      seeds: { type: 'string', default: '1,2,3' },
      data: { type: 'string', default: '../shared/data/sst2' },
      out: { type: 'string', default: 'docs/results/science.md' },
      config: { type: 'string' },
      runs: { type: 'string', default: 'out/science' },
      resume: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
      eval: { type: 'string', default: 'test' },
      lanes: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const reportOnly = values['report-only']!;
  if (values.eval !== 'test' && values.eval !== 'dev') throw new Error(`--eval: must be test or dev, got "${values.eval}"`);
  const evalSplit = values.eval;
  const lanes = values.lanes === undefined ? {} : { lanes: parseLanes(values.lanes) };
  const backend = reportOnly ? 'wasm' : await initNodeBackend('wasm');
  const presets = values.presets!.split(',').map((s) => s.trim());
  const seeds = values.seeds!.split(',').map((s) => Number(s.trim()));
  if (seeds.some((n) => !Number.isInteger(n))) throw new Error(`--seeds: "${values.seeds}" is not a list of integers; write e.g. --seeds 1,2,3`);
  const patch: ConfigPatch = values.config ? (JSON.parse(await readFile(values.config, 'utf8')) as ConfigPatch) : {};
  const sections: string[] = [];
  for (const preset of presets) {
    const runs: Finished[] = [];
    for (const seed of seeds) {
      const config = applyPatch(applyPatch(configFromPreset(preset), patch), { seed });
      const outDir = join(values.runs!, `${preset}-seed${seed}`);
      const previous = await readResults(outDir);
      if (previous && (reportOnly || values.resume)) {
        runs.push({ results: previous, wall: previous.wallSeconds ?? Number.NaN, firstMetrics: previous.firstMetricsSeconds ?? Number.NaN });
        continue;
      }
      if (reportOnly) continue;
      console.log(`=== ${preset}, seed ${seed} → ${outDir}`);
      const start = performance.now();
      // The first chart point: the first epoch that reports CA and ASR, seconds after the run began.
      let firstMetrics = Number.NaN;
      const onEvent = (e: LabEvent) => {
        if (e.type === 'epoch' && e.ca !== undefined && Number.isNaN(firstMetrics)) firstMetrics = (performance.now() - start) / 1000;
      };
      // `--data` is for the SST-2 presets; the others read their own (bundled) source.
      const dataDir = config.data.source === 'sst2' ? { dataDir: values.data! } : {};
      const results = await runFromNode({ config, ...dataDir, outDir, backend, cacheDir: '.cache/models', evalSplit, onEvent, ...lanes });
      const wall = (performance.now() - start) / 1000;
      await writeFile(join(outDir, 'wall.json'), JSON.stringify({ wallSeconds: wall, firstMetricsSeconds: firstMetrics }));
      runs.push({ results, wall, firstMetrics });
    }
    if (runs.length === 0) {
      sections.push(`## ${preset}\n\nNo finished run yet.\n`);
      continue;
    }
    sections.push(renderSection(preset, runs));
  }
  // Where each preset's data came from: `--data` for the presets that read a {train,dev,test}.jsonl folder.
  const bundled = presets.filter((p) => configFromPreset(p).data.source !== 'sst2');
  const readsDir = bundled.length < presets.length;
  const dataSources = [
    ...(readsDir ? [`the data from \`${values.data}\``] : []),
    ...(bundled.length > 0 ? [`${bundled.join(', ')} on ${bundled.length > 1 ? 'their' : 'its'} bundled data`] : []),
  ].join('; ');
  const doc = [
    '# Results: W2SDefense at browser scale',
    '',
    `Measured by \`npm run bench:science -- --presets ${presets.join(',')} --seeds ${seeds.join(',')}${readsDir ? ` --data ${values.data}` : ''}${evalSplit === 'dev' ? ' --eval dev' : ''}${values.config ? ` --config ${values.config}` : ''}\` on ${new Date().toISOString().slice(0, 10)},`,
    `backend \`${backend}\` (Node), ${dataSources}, measured on the **${evalSplit}** split. CA = clean accuracy on the`,
    'split; ASR = share of triggered non-target samples classified as the target label; floor (`asrBase`) = the same',
    'sentences without the trigger classified as the target (ordinary mistakes: ASR cannot go below it); clean-model floor =',
    'the clean public task model (before the attack) on the same triggered sentences (what the trigger does by itself). Mean ± sample',
    'sd over the seeds (one seed: the value). Settings were fixed before these runs (prototype and dev split), never on test.',
    'Seconds are training time only, on a 2-core machine that was often running another job at the same time:',
    'compare them loosely with each other, not with `npm run bench`.',
    '',
    ...sections,
  ].join('\n');
  await mkdir(dirname(values.out!), { recursive: true });
  await writeFile(values.out!, `${doc}\n`);
  console.log(`wrote ${values.out}`);
}

/** A finished run's results (and its wall time, when recorded), or undefined. */
async function readResults(dir: string): Promise<(RunResults & { wallSeconds?: number; firstMetricsSeconds?: number }) | undefined> {
  try {
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
    const times = await readFile(join(dir, 'wall.json'), 'utf8').then((t) => JSON.parse(t) as { wallSeconds?: number; firstMetricsSeconds?: number }, () => ({}));
    return { ...results, ...times };
  } catch {
    return undefined;
  }
}

/** "mean ± sd" in percent; a single seed has no spread to show. */
const fmt = (xs: number[]) => {
  const { mean, sd } = meanStd(xs.map((x) => x * 100));
  return xs.length > 1 ? `${mean.toFixed(1)} ± ${sd.toFixed(1)}` : mean.toFixed(1);
};

function renderSection(preset: string, runs: Finished[]): string {
  const lines = [
    `## ${preset}`,
    '',
    'Filters: CA and ASR after screening (a rejected input counts as a wrong answer and a failed attack); flagged = share of clean (false rejections) and triggered (detection) test inputs the filter changed or rejected.',
    '',
    '| Method | CA % | ASR % | ASR floor % | clean-model floor % | flagged clean % | flagged triggered % | seconds |',
    '|---|---|---|---|---|---|---|---|',
  ];
  // The clean public task model's ASR on the same triggered sentences: one per run, the floor under every row's ASR.
  const cleanFloors = runs.flatMap((r) => (typeof r.results.floors?.cleanModelAsr === 'number' ? [r.results.floors.cleanModelAsr] : []));
  const cleanFloor = cleanFloors.length ? fmt(cleanFloors) : '—';
  let group: string | undefined;
  for (const row of ROWS) {
    const stages = runs.map((r) => r.results.stages[row.stage]).filter((s) => s?.final);
    if (stages.length === 0) continue;
    if (row.group !== group) lines.push(`| **${GROUP_TITLE[row.group]}** | | | | | | | |`);
    group = row.group;
    const secs = meanStd(stages.map((s) => s!.seconds));
    const floors = stages.map((s) => s!.final!.asrBase).filter((x) => typeof x === 'number');
    const screened = stages.flatMap((s) => (s!.filter ? [s!.filter] : []));
    const flagged = (k: 'falseRejection' | 'detection') => (screened.length ? fmt(screened.map((f) => f[k])) : '—');
    lines.push(`| ${row.label} | ${fmt(stages.map((s) => s!.final!.ca))} | ${fmt(stages.map((s) => s!.final!.asr))} | ${floors.length ? fmt(floors) : '—'} | ${cleanFloor} | ${flagged('falseRejection')} | ${flagged('detection')} | ${secs.mean.toFixed(0)} |`);
  }
  lines.push('', ...renderAttack(runs), ...renderLocation(runs), ...renderTerms(runs), ...renderTargets(preset, runs));
  const pre = runs.map((r) => r.results.stages.pretrain?.seconds ?? 0);
  lines.push(
    `Seeds: ${runs.map((r) => r.results.config.seed).join(', ')} (${runs.length} run${runs.length === 1 ? '' : 's'}). ` +
      `Wall time per run (all stages; the first run of a dataset also pretrains the shared checkpoints): ${runs.map((r) => (Number.isNaN(r.wall) ? 'n/a' : `${r.wall.toFixed(0)} s`)).join(', ')}; ` +
      `student pretraining ${pre.map((s) => `${s.toFixed(0)} s`).join(', ')} (a cached stage reports the time it took when it was trained).`,
    '',
  );
  const cfg = runs[0]!.results.config;
  lines.push(
    `Config: student ${cfg.models.student.layers}×${cfg.models.student.dModel}, teacher ${cfg.models.teacher.layers}×${cfg.models.teacher.dModel}, ` +
      `${cfg.data.tokenizer === 'wordpiece' ? 'shipped WordPiece vocabulary' : `word vocabulary of ${cfg.data.vocabSize}`}, ` +
      `${cfg.pretrain.checkpoint === 'shipped' ? `both started from the shipped checkpoints + ${cfg.pretrain.studentSteps}/${cfg.pretrain.teacherSteps} masked-LM steps on the task's text` : `pretrained in the run (${cfg.pretrain.studentSteps}/${cfg.pretrain.teacherSteps} masked-LM steps)`}, ` +
      `${cfg.taskModel?.enabled ? `public task model (${cfg.taskModel.epochs} epochs at lr ${cfg.taskModel.lr}) → ` : ''}` +
      `attack ${cfg.attack.kind} (${ATTACKS[cfg.attack.kind].triggerName(cfg.attack)}), ${cfg.attack.labelMode}-label ${cfg.attack.budget} (${cfg.attack.budgetKind}) via ${cfg.poison.method === 'lora' ? `a merged LoRA r=${cfg.poison.lora.rank}` : 'full fine-tuning'}${cfg.poison.pinTriggerRows ? ' (trigger rows pinned)' : ''}, ` +
      `defense LoRA r=${cfg.defense.lora.rank} α=${cfg.defense.lora.alpha} on ${cfg.defense.lora.targets.join('/')}${cfg.defense.trainFinalNorm ? ' + final LayerNorm' : ''}, ` +
      `weights CE ${cfg.defense.ce} / KD ${cfg.defense.kd} / FA ${cfg.defense.fa} (FA ${cfg.defense.faMode ?? 'pooled'}), T=${cfg.defense.temperature}, ${cfg.defense.epochs} epochs at lr ${cfg.defense.lr}${cfg.defense.batching === 'by-length' ? ' (batches grouped by length)' : ''}${endStateText(cfg.defense)}, ` +
      `defender data ${cfg.data.defenseFraction * 100} % of the clean train set.`,
    '',
  );
  return lines.join('\n');
}

/** How the repairs' end state is read, when it is not the last epoch (configs written before `averageLast` lack it). */
function endStateText(d: { selectBestByDev: boolean; averageLast?: number }): string {
  if (d.selectBestByDev) return ', the best epoch by dev accuracy kept';
  return (d.averageLast ?? 0) > 1 ? `, the mean of the last ${d.averageLast} epochs' weights kept` : '';
}

/** Whether each run's attack planted its backdoor (a failed one compares no defenses), and on how many triggered sentences ASR rests. */
function renderAttack(runs: Finished[]): string[] {
  const attacks = runs.flatMap((r) => (r.results.attack ? [r.results.attack] : []));
  const triggered = [...new Set(runs.flatMap((r) => (r.results.floors ? [r.results.floors.triggered] : [])))];
  const out: string[] = [];
  const split = runs[0]?.results.evalSplit ?? 'test';
  if (triggered.length) out.push(`ASR rests on ${triggered.join(' / ')} triggered ${split} sentences (every non-target sentence of the ${split} split).`);
  if (attacks.length) {
    const planted = attacks.filter((a) => a.planted).length;
    out.push(
      `Attack planted in ${planted} of ${attacks.length} run${attacks.length === 1 ? '' : 's'} (dev ASR ${attacks.map((a) => (a.devAsr * 100).toFixed(1)).join(', ')} % after ${attacks.map((a) => a.epochs).join(', ')} epochs; needs ${(attacks[0]!.threshold * 100).toFixed(0)} %)` +
        (planted < attacks.length ? '; a run whose attack did not plant compares no defenses (with poison.untilAsr set), so its defense rows are missing from the means.' : '.'),
    );
  }
  return out.length ? [...out, ''] : [];
}

/** The poisoned model with each part reset, averaged over the seeds. */
function renderLocation(runs: Finished[]): string[] {
  const probes = runs.flatMap((r) => r.results.backdoorLocation ?? []);
  if (probes.length === 0) return [];
  const parts = [...new Set(probes.map((p) => p.part))];
  const out = ['Where the backdoor lives (poisoned model with one part put back as before the attack):', '', '| Part reset | CA % | ASR % | ASR floor % |', '|---|---|---|---|'];
  for (const part of parts) {
    const ps = probes.filter((p) => p.part === part);
    out.push(`| ${part} | ${fmt(ps.map((p) => p.ca))} | ${fmt(ps.map((p) => p.asr))} | ${fmt(ps.map((p) => p.asrBase))} |`);
  }
  return [...out, ''];
}

/** Each defense's unweighted loss terms per epoch, averaged over the seeds: which term moves. */
function renderTerms(runs: Finished[]): string[] {
  const out: string[] = [];
  for (const stage of ['defense:w2sdefense', 'defense:kd-only', 'defense:fa-only'] as const) {
    const epochs = runs.map((r) => r.results.stages[stage]?.epochs ?? []).filter((e) => e.length > 0 && e.every((x) => x.terms));
    if (epochs.length === 0) continue;
    const n = Math.min(...epochs.map((e) => e.length));
    const at = (i: number, t: 'ce' | 'kd' | 'fa') => meanOf(epochs.map((e) => e[i]!.terms![t])).toFixed(3);
    out.push(`${stage} loss terms (unweighted; epoch 1 → ${n}): CE ${Array.from({ length: n }, (_, i) => at(i, 'ce')).join(' → ')}; KD ${Array.from({ length: n }, (_, i) => at(i, 'kd')).join(' → ')}; FA ${Array.from({ length: n }, (_, i) => at(i, 'fa')).join(' → ')}.`);
  }
  return out.length ? [...out, ''] : [];
}

main().catch((error: unknown) => {
  console.error(`error: ${userFacingMessage(error)}`);
  process.exit(2);
});
