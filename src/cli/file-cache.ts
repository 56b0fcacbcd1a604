/**
 * Model cache on disk for the Node runner: `<dir>/<key>.json` (names, shapes, offsets) beside
 * `<dir>/<key>.bin` (all floats), so a second run skips pretraining, poisoning and the teacher.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelCache, SavedWeights } from '../engine/cache';

interface Header {
  entries: { name: string; shape: number[]; offset: number; length: number }[];
}

export class FileCache implements ModelCache {
  constructor(private readonly dir: string) {}

  async get(key: string): Promise<SavedWeights | undefined> {
    try {
      const header = JSON.parse(await readFile(join(this.dir, `${key}.json`), 'utf8')) as Header;
      const bytes = await readFile(join(this.dir, `${key}.bin`));
      const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const out: SavedWeights = {};
      for (const e of header.entries) out[e.name] = { shape: e.shape, data: floats.slice(e.offset, e.offset + e.length) };
      return out;
    } catch {
      return undefined; // a missing or torn entry is a miss; the stage simply trains again
    }
  }

  async put(key: string, weights: SavedWeights): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const entries: Header['entries'] = [];
    let offset = 0;
    for (const [name, w] of Object.entries(weights)) {
      entries.push({ name, shape: w.shape, offset, length: w.data.length });
      offset += w.data.length;
    }
    const all = new Float32Array(offset);
    for (const e of entries) all.set(weights[e.name]!.data, e.offset);
    // Write beside, then rename: a run killed mid-write never leaves a half entry behind.
    const bin = join(this.dir, `${key}.bin`);
    const json = join(this.dir, `${key}.json`);
    await writeFile(`${bin}.tmp`, new Uint8Array(all.buffer));
    await writeFile(`${json}.tmp`, JSON.stringify({ entries }));
    await rename(`${bin}.tmp`, bin);
    await rename(`${json}.tmp`, json);
  }
}
