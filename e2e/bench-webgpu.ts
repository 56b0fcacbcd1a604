/**
 * `npm run bench:webgpu [-- --runs N]`: one training step of each stage type on WebGPU in Debian's
 * Chromium (SwiftShader on a machine without a GPU), with tfjs' kernels and with the lab's, side by
 * side. Bundles `bench-webgpu-page.ts` with esbuild, serves it on 127.0.0.1, prints a table and writes
 * `out/bench-webgpu.json`. Each variant runs in a fresh page: kernels are registered per page.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchBrowser } from './browser';
import type { WebGpuBenchResult } from './bench-webgpu-page';
import { BASELINE_COMMIT, WEBGPU_BASELINE } from '../src/cli/bench-baseline';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function runsFromArgs(argv: string[]): number {
  const i = argv.indexOf('--runs');
  const runs = i >= 0 ? Number(argv[i + 1]) : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a whole number ≥ 1, got "${argv[i + 1]}"`);
  return runs;
}

async function main(): Promise<void> {
  const runs = runsFromArgs(process.argv.slice(2));
  const bundle = await build({
    entryPoints: [join(root, 'e2e', 'bench-webgpu-page.ts')],
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  const script = bundle.outputFiles[0]!.contents;
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/bench.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await launchBrowser();
  const results: WebGpuBenchResult[] = [];
  try {
    for (const kernels of ['lab', 'tfjs'] as const) {
      const page = await browser.newPage();
      page.setDefaultTimeout(0);
      await page.goto(url);
      await page.waitForFunction(() => typeof window.benchWebGpu === 'function');
      console.log(`measuring ${kernels} kernels (${runs} runs per step)…`);
      results.push(await page.evaluate(([k, r]) => window.benchWebGpu(k, r), [kernels, runs] as const));
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  const [lab, tfjs] = results as [WebGpuBenchResult, WebGpuBenchResult];
  console.log(`\nWebGPU on ${lab.adapter}, quick preset shapes, median of ${runs} steps`);
  console.log(lab.checkFailures.length === 0 ? 'lab kernels agree with tfjs on every self-check case' : `lab kernels DISAGREE: ${lab.checkFailures.join('; ')}`);
  console.log(`before = the lab's kernels at commit ${BASELINE_COMMIT}, measured the same way`);
  console.log('| step | tfjs ms | lab ms before → after | speed-up over tfjs | samples/s (lab) | dispatches tfjs → lab | lab dispatches before → after |');
  console.log('|---|---|---|---|---|---|---|');
  lab.steps.forEach((l, i) => {
    const t = tfjs.steps[i]!;
    const before = WEBGPU_BASELINE[l.kind];
    console.log(
      `| ${l.label} | ${t.medianMs.toFixed(0)} | ${before.msPerStep} → ${l.medianMs.toFixed(0)} | ${(t.medianMs / l.medianMs).toFixed(1)}× | ${l.samplesPerSecond.toFixed(0)} | ` +
        `${t.dispatchesPerStep} → ${l.dispatchesPerStep} | ${before.dispatchesPerStep} → ${l.dispatchesPerStep} |`,
    );
  });
  console.log('\nlab dispatches per step by program (most first):');
  for (const l of lab.steps) console.log(`  ${l.label.padEnd(38)} ${l.dispatchesByProgram.slice(0, 10).map(([k, n]) => `${k}×${n}`).join(', ')}`);
  mkdirSync(join(root, 'out'), { recursive: true });
  writeFileSync(join(root, 'out', 'bench-webgpu.json'), JSON.stringify({ runs, results }, null, 2));
  console.log('\nwritten: out/bench-webgpu.json');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
