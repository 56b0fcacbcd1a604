/** The shipped vocabulary and checkpoints from disk (`public/checkpoints/`), opened once per process. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/build-spam-bundle';
import { openShipped, type ShippedModels } from '../engine/models/checkpoint';

export const CHECKPOINT_DIR = join(REPO_ROOT, 'public', 'checkpoints');

const opened = new Map<string, Promise<ShippedModels>>();

export function openShippedFromDisk(dir: string = CHECKPOINT_DIR): Promise<ShippedModels> {
  let models = opened.get(dir);
  if (!models) {
    models = openShipped(async (name) => new Uint8Array(await readFile(join(dir, name))));
    opened.set(dir, models);
  }
  return models;
}
