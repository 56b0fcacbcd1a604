/**
 * The one error type of the attack modules, shaped like `ConfigError` so the UI and CLI can show both
 * the same way: the field at fault, then what is wrong and how to fix it.
 */
export class AttackError extends Error {
  constructor(
    /** The config field or argument at fault, e.g. `attack.budget` or `phrase`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'AttackError';
  }
}
