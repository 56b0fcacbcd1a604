/**
 * `npm run experiment -- [--preset NAME] [--config FILE] [--data DIR] [--attack …] [--trigger …]
 * [--seed N] [--out DIR] [--sweep FILE.json [--shard i/N]]`: the engine on tfjs' WASM backend; `--sweep`
 * runs one experiment per cell of triggers × poison budgets × label modes (see sweep.ts), `--shard` one
 * machine's share of them, and `--merge DIR... --out DIR` joins the shards. Bad input exits 2 with one
 * clear line.
 *
 * Order matters: every input (flags, files, folders, the sweep's cells, `--out`) is checked before the
 * backend starts, so a bad one fails in about a second and nothing is written or trained.
 */
import { initNodeBackend } from './backend';
import { checkWritableFolder, parseCli, UsageHelp, USAGE } from './options';
import { runFromNode } from './run-experiment';
import { userFacingMessage } from './errors';
import { mergeSweepFolders, planSweep, readSweepFile, sweepFromNode } from './sweep';
import { ConfigError, type ExperimentConfig } from '../engine/config';
import type { SweepCell, SweepSpec } from '../engine/sweep';

async function main(): Promise<void> {
  const opts = await parseCli(process.argv.slice(2));
  const outDir = opts.outDir ?? `out/${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const cacheDir = opts.noCache ? undefined : '.cache/models';
  if (opts.merge) {
    // Merging copies finished results: it needs no backend.
    await checkWritableFolder(outDir);
    await mergeSweepFolders(opts.merge, outDir);
    console.log(`merged ${opts.merge.length} shard folder(s): ${outDir}/summary.json, ${outDir}/summary.csv`);
    return;
  }
  const sweep = opts.sweep ? await readSweep(opts.sweep, opts.config) : undefined;
  await checkWritableFolder(outDir);
  const backend = await initNodeBackend(opts.backend);
  if (sweep) {
    const part = opts.shard ? `, shard ${opts.shard.index}/${opts.shard.count}` : '';
    console.log(`W2S Backdoor Lab — sweep of ${sweep.cells.length} cells${part}, backend ${backend}, seed ${opts.config.seed}, output ${outDir}`);
    await sweepFromNode(opts.config, sweep.spec, {
      outDir,
      backend,
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      ...(cacheDir ? { cacheDir } : {}),
      ...(opts.shard ? { shard: opts.shard } : {}),
    });
    console.log(`summary: ${outDir}/summary.json, ${outDir}/summary.csv`);
    return;
  }
  console.log(`W2S Backdoor Lab — backend ${backend}, seed ${opts.config.seed}, attack ${opts.config.attack.kind}, output ${outDir}`);
  await runFromNode({
    config: opts.config,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    outDir,
    backend,
    evalSplit: opts.evalSplit,
    ...(cacheDir ? { cacheDir } : {}),
    ...(opts.lanes !== undefined ? { lanes: opts.lanes } : {}),
  });
  console.log(`results: ${outDir}/results.json`);
}

/** The sweep file and its cells, every cell's config checked; a bad cell's message names the file too. */
async function readSweep(file: string, base: ExperimentConfig): Promise<{ spec: SweepSpec; cells: SweepCell[] }> {
  const spec = await readSweepFile(file, base);
  try {
    return { spec, cells: planSweep(base, spec) };
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError('--sweep', `${file}: ${e.message.slice(e.field.length + 2)}`);
    throw e;
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageHelp) {
    console.log(USAGE);
    process.exit(0);
  }
  console.error(`error: ${userFacingMessage(error)}`);
  process.exit(2);
});
