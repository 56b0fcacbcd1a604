/**
 * `npm run experiment -- [--preset NAME] [--config FILE] [--data DIR] [--attack …] [--trigger …]
 * [--seed N] [--out DIR] [--sweep FILE.json]`: the engine on tfjs' WASM backend; `--sweep` runs one
 * experiment per cell of triggers × poison budgets × label modes (see sweep.ts). Bad input exits 2 with
 * one clear line.
 */
import { initNodeBackend } from './backend';
import { parseCli, UsageHelp, USAGE } from './options';
import { runFromNode } from './run-experiment';
import { userFacingMessage } from './errors';
import { planSweep, readSweepFile, sweepFromNode } from './sweep';

async function main(): Promise<void> {
  const opts = await parseCli(process.argv.slice(2));
  const backend = await initNodeBackend(opts.backend);
  const outDir = opts.outDir ?? `out/${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const cacheDir = opts.noCache ? undefined : '.cache/models';
  if (opts.sweep) {
    const spec = await readSweepFile(opts.sweep);
    const cells = planSweep(opts.config, spec);
    console.log(`W2S Backdoor Lab — sweep of ${cells.length} cells, backend ${backend}, seed ${opts.config.seed}, output ${outDir}`);
    await sweepFromNode(opts.config, spec, { outDir, backend, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), ...(cacheDir ? { cacheDir } : {}) });
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
