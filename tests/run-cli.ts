/** One of the lab's Node commands run as a real process from the repository root, as a user runs it. */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const ROOT = new URL('..', import.meta.url).pathname;

export interface CliRun {
  /** The exit code; null when the process was killed (its timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node --import tsx SCRIPT ...args` (e.g. `src/cli/experiment.ts`); never rejects. */
export function runCli(script: string, args: string[], timeoutMs = 60_000): Promise<CliRun> {
  const start = performance.now();
  return new Promise((done) => {
    execFile('node', ['--import', 'tsx', script, ...args], { cwd: ROOT, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      done({ code: typeof code === 'number' ? code : null, stdout, stderr, ms: performance.now() - start });
    });
  });
}
