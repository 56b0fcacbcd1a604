/** A value as a short phrase for a message: a whole config, or a 20 MB string, pasted into the line would hide the fix. */
export function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
