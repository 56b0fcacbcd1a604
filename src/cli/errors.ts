/**
 * One clear line for the user. The engine's own errors (ConfigError, DatasetError, AttackError) already
 * name the field and the fix; parseArgs' errors (an unknown flag) get a pointer to --help; a raw Node
 * file error names its path. Also the CLI's file readers, which turn Node's "ENOENT: no such file or
 * directory, open 'x'" into a line that names the flag, the file and the fix.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../engine/config';
import { errorMessage } from '../engine/error-message';

/** A bad command line whose message is already the whole line (parseArgs' problems, reworded). */
export class CliError extends Error {
  override name = 'CliError';
}

export function userFacingMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const firstLine = error.message.split('\n')[0]! || error.name;
  const { code, path } = error as { code?: string; path?: string };
  if (code?.startsWith('ERR_PARSE_ARGS')) return `${firstLine} (see --help)`;
  // A Node file error that no read site wrapped: still say which file, in words.
  if (code && path) return `${path}: ${fileProblem(error)}`;
  return firstLine;
}

/** Node's file error in words, with its code for searching: "no such file or folder (ENOENT)". */
export function fileProblem(error: unknown): string {
  const { code, words } = fileErrorParts(error);
  return code ? `${words} (${code})` : words;
}

/** The code of a Node file error (ENOENT, EACCES, …) and what it means here. */
export function fileErrorParts(error: unknown): { code?: string; words: string } {
  const code = (error as { code?: string }).code;
  const words: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EISDIR: 'it is a folder, not a file',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'it is a file, not a folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the disk',
    ENAMETOOLONG: 'the name is too long',
  };
  if (code && words[code]) return { code, words: words[code]! };
  return { words: oneLine(errorMessage(error)) };
}

/** Folds a message onto one line: only the first line of an error is printed, and the fix comes last. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The JSON in `path`, or a `ConfigError` on `flag` that names the file, what is wrong (missing, a folder,
 * not JSON) and `fix`.
 */
export async function readJsonFile(flag: string, path: string, fix: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(flag, `cannot read ${path}: ${fileProblem(e)}; ${fix}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError(flag, `cannot read ${path} as JSON: ${oneLine((e as Error).message)}; ${fix}`);
  }
}
