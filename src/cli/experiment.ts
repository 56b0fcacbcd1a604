/**
 * `npm run experiment -- [--preset NAME] [--config FILE] [--data DIR] [--attack …] [--trigger …]
 * [--seed N] [--out DIR] [--sweep FILE.json [--shard i/N]]`: the engine on tfjs' WASM backend; `--sweep`
 * runs one experiment per cell of triggers × poison budgets × label modes (see sweep.ts), `--shard` one
 * machine's share of them, and `--merge DIR... --out DIR` joins the shards. Bad input exits 2 with one
 * clear line.
 */
import { initNodeBackend } from './backend';
import { parseCli, UsageHelp, USAGE } from './options';
import { runFromNode } from './run-experiment';
import { userFacingMessage } from './errors';
import { mergeSweepFolders, planSweep, readSweepFile, sweepFromNode } from './sweep';

async function main(): Promise<void> {
  const opts = await parseCli(process.argv.slice(2));
  const backend = await initNodeBackend(opts.backend);
  const outDir = opts.outDir ?? `out/${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const cacheDir = opts.noCache ? undefined : '.cache/models';
  if (opts.merge) {
    await mergeSweepFolders(opts.merge, outDir);
    console.log(`merged ${opts.merge.length} shard folder(s): ${outDir}/summary.json, ${outDir}/summary.csv`);
    return;
  }
  if (opts.sweep) {
    const spec = await readSweepFile(opts.sweep);
    const cells = planSweep(opts.config, spec);
    const part = opts.shard ? `, shard ${opts.shard.index}/${opts.shard.count}` : '';
    console.log(`W2S Backdoor Lab — sweep of ${cells.length} cells${part}, backend ${backend}, seed ${opts.config.seed}, output ${outDir}`);
    await sweepFromNode(opts.config, spec, {
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
  });
  console.log(`results: ${outDir}/results.json`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageHelp) {
    console.log(USAGE);
    process.exit(0);
  }
  console.error(`error: ${userFacingMessage(error)}`);
  process.exit(2);
});
