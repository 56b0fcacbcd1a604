/**
 * One clear line for the user. The engine's own errors (ConfigError, DatasetError, AttackError) already
 * name the field and the fix; parseArgs' errors (an unknown flag) get a pointer to --help.
 */
export function userFacingMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const firstLine = error.message.split('\n')[0]!;
  const code = (error as { code?: string }).code;
  return code?.startsWith('ERR_PARSE_ARGS') ? `${firstLine} (see --help)` : firstLine;
}
