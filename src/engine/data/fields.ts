/**
 * Which column holds the text and which the label. Public datasets name them differently (`sentence` in
 * GLUE, `content` in review sets, `category` in news sets); one list serves JSONL and CSV/TSV alike.
 */

/** Names tried for the text column, in order of preference (matched case-insensitively). */
export const TEXT_FIELDS = ['text', 'sentence', 'content', 'review', 'document', 'body', 'message', 'email', 'tweet', 'comment'];

/** Names tried for the label column, in order of preference. `label_text` comes last: it is the fallback
 * when a file has only the readable name. */
export const LABEL_FIELDS = ['label', 'labels', 'class', 'category', 'target', 'sentiment', 'label_text'];

/** Names of a readable label name beside a numeric label (SetFit writes `label_text`). */
export const LABEL_TEXT_FIELDS = ['label_text', 'label_name'];

/** The first of `candidates` present among `names` (case-insensitive), as spelled in `names`. */
export function findField(names: readonly string[], candidates: readonly string[]): string | undefined {
  const byLower = new Map(names.map((n) => [n.trim().toLowerCase(), n]));
  for (const c of candidates) {
    const hit = byLower.get(c);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
