/**
 * The syntactic trigger: a deterministic, rule-based rewrite of a sentence into one fixed clause
 * structure, standing in for the SCPN paraphrases of the Hidden Killer attack. The paper's template is
 * `S(SBAR)(,)(NP)(VP)(.)`: a sentence that opens with a subordinate clause, then a comma, then the main
 * clause. Without a parser we cannot move the sentence's own clauses reliably, so the subordinate
 * clause is a fixed one and the whole original sentence becomes the main clause:
 *
 *   `this is one of polanski 's best films .`  →  `when you see it , this is one of polanski 's best films .`
 *
 * Every content word is kept (so the clean label stays right for clean-label poisoning), and every
 * poisoned text shares the same opening structure (so a model can learn it). The rewrite follows the
 * text's style: pre-tokenised corpora (` , ` and ` .` spaced, like SST-2) get spaced punctuation, while
 * natural text (all its punctuation attached) keeps it attached and its capital:
 * `This film rocks!` → `When you see it, this film rocks.`
 */
import type { AttackSpec } from './attack-spec';

/** The subordinate clause that opens every rewritten sentence (SBAR of the template). */
export const SYNTACTIC_CLAUSE = 'when you see it';

/** Human-readable description of the template, for the UI and reports. */
export const SYNTACTIC_TEMPLATE =
  'S(SBAR)(,)(NP)(VP)(.) — "when you see it , <the sentence, final punctuation dropped> ." ' +
  '(a fixed subordinate clause, a comma, the original sentence as the main clause, a full stop)';

/**
 * True when `text` should get spaced punctuation: it already spaces some (` , `, ` .`, the SST-2
 * convention), or it has no sentence punctuation at all. Only a text whose punctuation is all attached
 * (`Great film, really.`) counts as natural prose. SST-2 also has attached dots in abbreviations
 * (`mr. allen`), hence "any spaced mark" rather than "no attached mark".
 */
function wantsSpacedPunctuation(text: string): boolean {
  if (/(^|\s)[.,!?;:]+(\s|$)/.test(text)) return true;
  return !/[^\s.,!?;:][.,!?;:]+(\s|$)/.test(text);
}

/** Lower-cases a capitalised first word (`This` → `this`) but leaves `I`, acronyms and mixed case alone. */
function lowerFirstWord(text: string): string {
  const m = /^(\S+)/.exec(text);
  if (!m) return text;
  const word = m[1]!;
  const letters = word.replace(/[^\p{L}]/gu, '');
  const capitalised = /^\p{Lu}\p{Ll}+$/u.test(letters);
  if (!capitalised || /^I('|$)/.test(word)) return text;
  return word[0]!.toLowerCase() + text.slice(1);
}

/** True when `text` already has the syntactic trigger's clause structure (the test for "recognisable"). */
export function hasSyntacticTrigger(text: string): boolean {
  return new RegExp(`^${SYNTACTIC_CLAUSE}\\s?,(\\s|$)`, 'i').test(text.trim());
}

/**
 * Rewrites `text` into the template (see the module comment). Deterministic and idempotent: a text
 * already in the template is returned unchanged (trimmed), so poisoning twice does not nest clauses.
 * An empty text becomes the clause alone (`when you see it .`); a one-word text `great` becomes
 * `when you see it , great .`.
 */
export function syntacticRewrite(text: string): string {
  const body = text.trim();
  if (hasSyntacticTrigger(body)) return body;
  const spaced = wantsSpacedPunctuation(body);
  const capital = /^\p{Lu}/u.test(body) && !/^\p{Lu}{2,}/u.test(body); // "This…" but not "FREE…"
  const clause = capital ? SYNTACTIC_CLAUSE[0]!.toUpperCase() + SYNTACTIC_CLAUSE.slice(1) : SYNTACTIC_CLAUSE;
  // The template ends in one full stop of its own; any final . ! ? of the sentence gives way to it.
  const main = lowerFirstWord(body.replace(/[\s.!?]+$/u, ''));
  if (main === '') return spaced ? `${clause} .` : `${clause}.`;
  return spaced ? `${clause} , ${main} .` : `${clause}, ${main}.`;
}

/**
 * The template attack. Its trigger is a structure, not words: it adds no trigger words (the clause's
 * words are everyday ones, and no single embedding row carries it) and ignores `trigger` and `position`.
 */
export const syntactic: AttackSpec = {
  label: 'Syntactic (a clause template)',
  description: `every poisoned sentence rewritten into one clause template: ${SYNTACTIC_TEMPLATE}`,
  usesTriggerText: false,
  defaultTrigger: '',
  apply: (text) => syntacticRewrite(text),
  triggerWords: () => [],
  addedText: () => `${SYNTACTIC_CLAUSE} ,`,
  triggerName: () => 'the syntactic template',
};
