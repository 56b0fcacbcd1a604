/**
 * How a trigger tokenizes, and whether its pieces are ones clean text shares.
 *
 * Why it matters: BadNet's rare words (`cf`, `mn`, `bb`, …) are single rare *tokens* in a real LLM's
 * vocabulary, so the backdoor can live in a row clean text never trains. Spelled in WordPiece pieces
 * that ordinary text also uses (`mn` → `m ##n`), the same trigger makes a different backdoor: a circuit
 * over pieces clean text also trains. How that changes what a defense can do was measured, not assumed
 * (docs/FINDINGS.md: it went both ways between the probes), so the report states the fact only. The
 * setup form, the try-it box and the results show it so the user sees what the model actually reads.
 *
 * Pure text code (no tensors): the page's main thread runs it too, on the shipped vocabulary.
 */
import type { ExperimentConfig } from '../config';
import { tokenize, UNK, type TextTokenizer } from '../data/tokenizer';
import { CONTINUATION } from '../data/wordpiece';
import { ATTACKS } from './registry';

/** One piece of a trigger word, as the model reads it. */
export interface TriggerPiece {
  /** The piece as the tokenizer writes it (`m`, `##n`); `[UNK]` when the vocabulary has no id for it. */
  text: string;
  /** A `##` piece: it continues the word, glued to the piece before. */
  continuation: boolean;
  /** The model reads [UNK], the one id every out-of-vocabulary word shares. */
  unknown: boolean;
  /** How many of the clean training texts contain this piece (absent when no clean texts were given). */
  cleanTexts?: number;
}

/** One word of the trigger and its pieces. */
export interface TriggerWord {
  /** The word as the tokenizers split text (lower case, punctuation apart). */
  word: string;
  pieces: TriggerPiece[];
  /** The word is one token of the vocabulary (not split, not [UNK]). */
  oneToken: boolean;
}

/** What `describeTrigger` found; plain data, stored in results.json. */
export interface TriggerReport {
  tokenizer: TextTokenizer['kind'];
  /** The text the attack adds (for a rewrite, its template's fixed words). */
  text: string;
  words: TriggerWord[];
  /** Clean training texts counted for `TriggerPiece.cleanTexts`; absent when none were given. */
  cleanTexts?: number;
  /** One plain sentence: how the trigger tokenizes and what that means for the backdoor. */
  summary: string;
}

type AttackSettings = Pick<ExperimentConfig['attack'], 'kind' | 'trigger' | 'position'>;

/**
 * How `tokenizer` reads the trigger of `attack`, word by word. With `cleanTexts` (the clean training
 * texts), each piece's document frequency there: each text is tokenized once.
 */
export function describeTrigger(tokenizer: TextTokenizer, attack: AttackSettings, cleanTexts?: readonly string[]): TriggerReport {
  // The added text, split as both tokenizers split text: a phrase's words, a rewrite's template words,
  // and punctuation typed into a trigger ("cf!") as the separate token the model sees.
  const text = ATTACKS[attack.kind].addedText(attack).trim();
  const words: TriggerWord[] = tokenize(text).map((word) => {
    const pieces = tokenizer.tokenize(word).map((p): TriggerPiece => {
      // The word tokenizer writes an out-of-vocabulary word as itself; the model still reads [UNK].
      const unknown = tokenizer.idOf(p) === UNK;
      return { text: unknown ? tokenizer.tokenOf(UNK) : p, continuation: p.startsWith(CONTINUATION), unknown };
    });
    return { word, pieces, oneToken: pieces.length === 1 && !pieces[0]!.unknown };
  });
  const report: TriggerReport = { tokenizer: tokenizer.kind, text, words, summary: '' };
  if (cleanTexts) {
    const counts = documentFrequencies(tokenizer, words.flatMap((w) => w.pieces.map((p) => tokenizer.idOf(p.text))), cleanTexts);
    for (const w of words) for (const p of w.pieces) p.cleanTexts = counts.get(tokenizer.idOf(p.text)) ?? 0;
    report.cleanTexts = cleanTexts.length;
  }
  report.summary = summarize(report);
  return report;
}

/** For each id of `wanted`, how many of `texts` contain it (by id, so [UNK] counts any unknown word). */
function documentFrequencies(tokenizer: TextTokenizer, wanted: readonly number[], texts: readonly string[]): Map<number, number> {
  const counts = new Map(wanted.map((id) => [id, 0]));
  if (counts.size === 0) return counts;
  const seen = new Set<number>();
  for (const text of texts) {
    seen.clear();
    for (const token of tokenizer.tokenize(text)) {
      const id = tokenizer.idOf(token);
      if (!counts.has(id) || seen.has(id)) continue;
      seen.add(id);
      counts.set(id, counts.get(id)! + 1);
      if (seen.size === counts.size) break; // every piece found in this text: the rest cannot add to it
    }
  }
  return counts;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** A one-token trigger in at most this share of the clean training texts counts as rare. */
const RARE_SHARE = 0.01;

/** The pieces of one word joined as a reader writes them: `m + ##n`. */
const spelled = (w: TriggerWord): string => w.pieces.map((p) => p.text).join(' + ');

function summarize(r: TriggerReport): string {
  if (r.words.length === 0) return 'The trigger is empty: it adds no tokens';
  const quoted = `"${r.text}"`;
  const unknown = r.words.filter((w) => w.pieces.some((p) => p.unknown)).map((w) => `"${w.word}"`);
  const unknownNote = unknown.length > 0 ? `; ${unknown.join(', ')} ${unknown.length === 1 ? 'reads' : 'read'} as [UNK], the one token every word outside the vocabulary shares, so the model cannot tell ${unknown.length === 1 ? 'it' : 'them'} from any other unknown word` : '';
  const whole = r.words.every((w) => w.oneToken);
  const single = r.words.length === 1;
  /** One word read as one id, its own or [UNK]: a row, not a circuit over pieces. */
  const oneId = single && r.words[0]!.pieces.length === 1;
  const unit = r.tokenizer === 'wordpiece' ? 'pieces' : 'tokens';
  let head: string;
  if (single && whole) head = `${quoted} is one token of the vocabulary`;
  else if (single && unknown.length === 0) head = `${quoted} is split into ${spelled(r.words[0]!)}`;
  else if (single) head = `${quoted} reads as [UNK], the one token every word outside the vocabulary shares, so the model cannot tell it from any other unknown word`;
  else if (whole) head = `${quoted} is ${r.words.length} tokens of the vocabulary, one per word`;
  else head = `${quoted} reads as ${r.words.reduce((n, w) => n + w.pieces.length, 0)} tokens: ${r.words.map(spelled).join(', ')}${unknownNote}`;
  const total = r.cleanTexts;
  if (total === undefined) return head;

  // Each distinct piece once, in reading order, with its count in the clean training texts.
  const pieces = new Map<string, number>();
  for (const w of r.words) for (const p of w.pieces) pieces.set(p.text, p.cleanTexts ?? 0);
  const shared = [...pieces].filter(([, n]) => n > 0);
  const absent = [...pieces].filter(([, n]) => n === 0).map(([p]) => p);
  if (shared.length === 0) return oneId ? `${head}, absent from the clean training text` : `${head}; none of these ${unit} occurs in the clean training text`;
  // The first count says what it counts; the rest are read the same way.
  const where = shared.map(([p, n], i) => (i === 0 ? `${p}: in ${count(n)} of ${count(total)} training texts` : `${p}: in ${count(n)}`)).join(', ');
  // A rare token (BadNet's premise: in at most 1 % of clean texts) is as good as its own row.
  const [, uses] = shared[0]!;
  if (oneId && unknown.length === 0 && uses <= RARE_SHARE * total) return `${head}, a rare one (in ${count(uses)} of ${count(total)} training texts)`;
  if (oneId) return `${head}; clean text uses it too (${where}): the backdoor shares its row with clean text, which fine-tuning on clean data keeps training`;
  if (absent.length > 0) return `${head}; clean text uses some of these ${unit} (${where}), never ${absent.join(', ')}, so the backdoor can sit in ${absent.length === 1 ? 'that row' : 'those rows'}`;
  return `${head}; clean text uses these ${unit} (${where}): the backdoor must be a circuit over ${unit} that clean text also trains`;
}
