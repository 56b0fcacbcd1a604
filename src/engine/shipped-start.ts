/**
 * Starting from the shipped vocabulary and checkpoints (public/checkpoints): whether a config uses
 * them, opening them through the edge, the checkpoint of a role at the config's size, and loading it
 * into a model — each failure a `ConfigError` that names the field and the fix.
 */
import { ConfigError, type ExperimentConfig } from './config';
import type { Emit } from './events';
import { CheckpointError, describeSize, loadLanguageModel, type CheckpointEntry, type ShippedModels } from './models/checkpoint';
import type { StudentModel } from './models/student';
import type { TeacherModel } from './models/teacher';
import { emitLog } from './emit-log';
import { errorMessage } from './error-message';

/** Whether the config reads the shipped vocabulary or starts from the shipped checkpoints. */
export const usesShipped = (cfg: ExperimentConfig): boolean => cfg.data.tokenizer === 'wordpiece' || cfg.pretrain.checkpoint === 'shipped';

export async function openShippedFor(cfg: ExperimentConfig, open: (() => Promise<ShippedModels>) | undefined): Promise<ShippedModels> {
  const field = cfg.pretrain.checkpoint === 'shipped' ? 'pretrain.checkpoint' : 'data.tokenizer';
  if (!open) throw new ConfigError(field, 'the shipped vocabulary and checkpoints are not available here; use data.tokenizer "word" and pretrain.checkpoint "none"');
  try {
    return await open();
  } catch (err) {
    throw new ConfigError(field, `could not open the shipped checkpoints: ${errorMessage(err)}`);
  }
}

/** The shipped checkpoint for this role at the config's size; null when the config pretrains from scratch. */
export function shippedEntry(shipped: ShippedModels, role: CheckpointEntry['role'], cfg: ExperimentConfig): CheckpointEntry | null {
  if (cfg.pretrain.checkpoint !== 'shipped') return null;
  const size = cfg.models[role];
  const entry = shipped.find(role, size);
  const have = shipped.manifest.checkpoints.filter((c) => c.role === role).map((c) => describeSize(c.size)).join(', ') || 'none';
  if (!entry) throw new ConfigError(`models.${role}`, `no shipped ${role} checkpoint of size ${describeSize(size)} (shipped: ${have}); pick a shipped size or set pretrain.checkpoint to "none"`);
  if (cfg.data.maxLength > entry.maxLength) {
    throw new ConfigError('data.maxLength', `the shipped ${role} was pretrained on ${entry.maxLength} positions; use data.maxLength ≤ ${entry.maxLength} or pretrain.checkpoint "none"`);
  }
  return entry;
}

export async function startFromCheckpoint(model: StudentModel | TeacherModel, shipped: ShippedModels, entry: CheckpointEntry, emit: Emit): Promise<void> {
  try {
    loadLanguageModel(model.languageModelParams(), await shipped.weights(entry));
  } catch (err) {
    if (err instanceof CheckpointError) throw new ConfigError('pretrain.checkpoint', err.message);
    throw err;
  }
  emitLog(emit, `Started the ${entry.role} from the shipped checkpoint ${entry.file} (${entry.steps} masked-LM steps, final loss ${entry.finalLoss}).`);
}
