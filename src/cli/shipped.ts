/** The shipped vocabulary, checkpoints and published models from disk (`public/checkpoints/`), opened once per process. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/build-spam-bundle';
import { openShipped, type ShippedModels } from '../engine/models/checkpoint';
import { openPublished, type PublishedModels } from '../engine/models/published';

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

const openedPublished = new Map<string, Promise<PublishedModels | null>>();

/** The attacker's published models beside the checkpoints (null when none are published there). */
export function openPublishedFromDisk(dir: string = CHECKPOINT_DIR): Promise<PublishedModels | null> {
  let models = openedPublished.get(dir);
  if (!models) {
    models = openPublished(async (name) => new Uint8Array(await readFile(join(dir, name))));
    openedPublished.set(dir, models);
  }
  return models;
}
