/**
 * `npm run experiment -- --sweep FILE.json`: one experiment per trigger on the base config (preset and
 * flags as usual), sharing the model cache, so the pretrained student and teacher are trained once.
 * Writes `<out>/<trigger>/{results.json,events.jsonl}` per cell and `<out>/summary.{json,csv}`.
 *
 * FILE.json: `{"triggers": ["mn", "cf", "I watched this 3D movie", "syntactic"]}` (read like the lab's
 * trigger box) or `{"triggers": [{"kind": "insent", "trigger": "…"}, …]}`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ATTACK_KINDS, ConfigError, type ExperimentConfig } from '../engine/config';
import { parseTriggerList, runSweep, sweepCells, sweepRows, type SweepTrigger } from '../engine/sweep';
import { runFromNode } from './run-experiment';

export async function readSweepFile(path: string): Promise<SweepTrigger[]> {
  let spec: unknown;
  try {
    spec = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ConfigError('--sweep', `cannot read ${path} as JSON: ${(e as Error).message}`);
  }
  const list = (spec as { triggers?: unknown } | null)?.triggers;
  if (!Array.isArray(list) || list.length === 0) throw new ConfigError('--sweep', `${path} needs a non-empty "triggers" list`);
  return list.flatMap((t): SweepTrigger[] => {
    if (typeof t === 'string') return parseTriggerList(t);
    const o = t as { kind?: unknown; trigger?: unknown };
    if (ATTACK_KINDS.some((k) => k === o.kind) && (o.kind === 'syntactic' || typeof o.trigger === 'string')) {
      return [{ kind: o.kind as SweepTrigger['kind'], trigger: typeof o.trigger === 'string' ? o.trigger : '' }];
    }
    throw new ConfigError('--sweep', `each trigger is a string or {"kind": "${ATTACK_KINDS.join('|')}", "trigger": "…"}; got ${JSON.stringify(t)}`);
  });
}

export async function sweepFromNode(base: ExperimentConfig, triggers: SweepTrigger[], opts: { outDir: string; backend: string; dataDir?: string; cacheDir?: string }): Promise<void> {
  const cells = sweepCells(base, triggers);
  const done = await runSweep(cells, async (cell, i) => {
    console.log(`\n━━ sweep ${i + 1}/${cells.length}: trigger "${cell.name}" (${cell.config.attack.kind})`);
    return runFromNode({ config: cell.config, outDir: join(opts.outDir, cell.name), backend: opts.backend, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) });
  });
  const rows = sweepRows(done);
  await writeFile(join(opts.outDir, 'summary.json'), `${JSON.stringify({ triggers: cells.map((c) => c.name), rows }, null, 2)}\n`);
  await writeFile(join(opts.outDir, 'summary.csv'), ['trigger,method,ca,asr', ...rows.map((r) => `${r.trigger},${r.method},${r.ca},${r.asr}`)].join('\n') + '\n');
  console.log('\ntrigger            method        CA      ASR');
  for (const r of rows) console.log(`${r.trigger.padEnd(18)} ${r.method.padEnd(12)} ${(r.ca * 100).toFixed(1).padStart(5)}%  ${(r.asr * 100).toFixed(1).padStart(5)}%`);
}
