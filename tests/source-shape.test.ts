/**
 * The shape of the source tree: no import cycles (type-only imports included: a cycle of types still
 * ties two modules' meanings together) and no file longer than 400 lines. Read from the files
 * themselves, so a change that adds a cycle or grows a file past the limit fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['src', 'workers', 'e2e', 'scripts', 'tests'];
const MAX_LINES = 400;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file names: static imports and re-exports (type-only too), side-effect imports, dynamic imports. */
export function importSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gms)) found.add(m[1]!);
  for (const m of source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) found.add(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.add(m[1]!);
  return [...found];
}

/** The file a relative specifier names, or undefined for a package. */
function resolveSpecifier(from: string, specifier: string, files: Set<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const bare = base.replace(/\.js$/, '');
  return [base, `${bare}.ts`, `${bare}.tsx`, join(base, 'index.ts')].find((f) => files.has(f));
}

/** Every cycle of `graph` as one of its strongly connected components (more than one node, or a self-import). */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('the source tree', () => {
  const files = FOLDERS.flatMap((f) => sourceFiles(join(root, f)));
  const fileSet = new Set(files);

  it('finds cycles where there are some (the checker itself)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(cyclesOf(graph)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(importSpecifiers(`import type { X } from './x';\nexport { y } from "../y";\nimport './side';\nimport {\n  a,\n  b,\n} from './multi';\nconst m = await import('./lazy');`).sort()).toEqual(['../y', './lazy', './multi', './side', './x']);
  });

  it('has no import cycles, type-only imports included', () => {
    const graph = new Map(files.map((f) => [f, importSpecifiers(readFileSync(f, 'utf8')).flatMap((s) => resolveSpecifier(f, s, fileSet) ?? [])]));
    const cycles = cyclesOf(graph).map((c) => c.map((f) => relative(root, f)).join(' ↔ '));
    expect(cycles).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = files.map((f) => ({ file: relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length })).filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
