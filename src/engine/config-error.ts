/**
 * A setting the lab cannot use, said the way the UI and CLI show it: the field at fault (a config path
 * such as `attack.budget`, or an argument), then what is wrong and how to fix it.
 */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}
