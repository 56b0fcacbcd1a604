/**
 * `npm run bench:threads [-- --runs 3 --threads 1,2 --extra 'models.student.dModel=128&…']`: the browser's
 * WASM path with 1 thread against N,
 * on the built lab (`vite build` first) in Chromium. Each run opens the lab with `?backend=wasm&threads=T`
 * on a small quick-preset run (no cache: every stage trains) and reads each stage's samples/s from the
 * results; the table gives the median over the runs per stage and the ratio to the first thread count.
 * A measurement, never a test: run it on a quiet machine (other jobs share the cores).
 */
import { parseArgs } from 'node:util';
import { median } from '../src/cli/bench-steps';
import { launchBrowser, serverUrl, startServer } from './browser';
import { backendName, byTestId, labResults, openLab, runToEnd } from './lab-page';

/** Big enough that per-step overheads do not hide the threads; small enough for minutes per run. */
const BENCH_RUN =
  'preset=quick&data.maxTrain=256&data.maxTest=64&pretrain.studentSteps=16&pretrain.teacherSteps=8' +
  '&taskModel.epochs=1&poison.epochs=1&poison.untilAsr=0&teacher.epochs=1&defense.epochs=1&defense.methods=lora,w2sdefense';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, threads: { type: 'string', default: '1,2' }, extra: { type: 'string', default: '' } } });
  const runs = Number(values.runs);
  const counts = values.threads!.split(',').map(Number);
  const server = await startServer(process.cwd());
  const browser = await launchBrowser();
  // stage → thread count → samples/s per run
  const table = new Map<string, Map<number, number[]>>();
  const notes: string[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      // Alternate the order so a machine that slows down over time favours neither.
      for (const threads of r % 2 ? [...counts].reverse() : counts) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await openLab(page, serverUrl(server), { hash: `${BENCH_RUN}&seed=${r + 1}${values.extra ? `&${values.extra}` : ''}`, backend: 'wasm', query: `threads=${threads}` });
        await backendName(page);
        const note = (await page.locator(byTestId('backend-note')).textContent()) ?? '';
        if (r === 0) notes.push(`threads=${threads}: ${note}`);
        const end = await runToEnd(page, 600_000);
        const results = await labResults(page);
        if (end !== 'done' || !results) throw new Error(`run ${r + 1} with ${threads} thread(s) ended "${end}"`);
        for (const [stage, result] of Object.entries(results.stages)) {
          if (!result || result.cached) continue;
          const byCount = table.get(stage) ?? new Map<number, number[]>();
          byCount.set(threads, [...(byCount.get(threads) ?? []), result.samplesPerSecond]);
          table.set(stage, byCount);
        }
        console.log(`run ${r + 1}, ${threads} thread(s): done`);
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`\n${notes.join('\n')}\n`);
  console.log(`median samples/s over ${runs} run(s)`);
  console.log(['stage'.padEnd(20), ...counts.map((c) => `${c} thr`.padStart(9)), ...counts.slice(1).map((c) => `${c}/${counts[0]}`.padStart(7))].join(' '));
  for (const [stage, byCount] of table) {
    const meds = counts.map((c) => median(byCount.get(c) ?? [Number.NaN]));
    console.log([stage.padEnd(20), ...meds.map((m) => m.toFixed(1).padStart(9)), ...meds.slice(1).map((m) => `${(m / meds[0]!).toFixed(2)}×`.padStart(7))].join(' '));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
