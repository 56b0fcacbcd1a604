/**
 * The one error type for bad data. Loaders throw it with a message that names the file, the line or the
 * field, and the fix, so the UI and the CLI can show it as it is.
 */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}
