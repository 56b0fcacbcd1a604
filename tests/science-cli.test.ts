/**
 * `npm run bench:science` at its edge: --help, and bad flags refused before any run starts, each with one
 * line that names the flag and the fix (exit 2). Its results are measured, never asserted here.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

const runs = mkdtempSync(join(tmpdir(), 'w2s-science-'));

const science = (args: string[]) => runCli('src/cli/science.ts', ['--runs', join(runs, 'r'), '--out', join(runs, 'out.md'), ...args]);

afterAll(() => rmSync(runs, { recursive: true, force: true }));

describe('npm run bench:science at its edge', () => {
  it('--help prints every flag and runs nothing', async () => {
    const { code, stdout } = await science(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--presets', '--seeds', '--data', '--eval', '--config', '--runs', '--resume', '--report-only', '--lanes']) expect(stdout).toContain(flag);
    expect(existsSync(join(runs, 'r'))).toBe(false);
  });

  it.each([
    [['--seeds', '1,x'], 'error: --seeds: "1,x" is not a list of integers; write e.g. --seeds 1,2,3'],
    [['--eval', 'train'], 'error: --eval: must be test or dev, got "train"'],
    [['--presets', 'nope'], 'error: preset: unknown preset "nope"; choose one of quick,'],
  ])('%j: exits 2 with one line naming the flag, nothing run', async (args, message) => {
    const { code, stderr } = await science(args);
    expect(code, stderr).toBe(2);
    expect(stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([expect.stringContaining(message)]);
    expect(existsSync(join(runs, 'r'))).toBe(false);
  }, 60_000);
});
