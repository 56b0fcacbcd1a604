/**
 * The attack modules' error: a `ConfigError` (the field at fault, then what is wrong and how to fix
 * it) under its own name, so a message can say an attack refused its settings.
 */
import { ConfigError } from '../config-error';

export class AttackError extends ConfigError {
  override name = 'AttackError';
}
