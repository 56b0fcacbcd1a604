/**
 * Beside the trigger field: how the chosen tokenizer will read the trigger, live as it is typed. For
 * the shipped WordPiece vocabulary the pieces are known now (the vocabulary is fixed); the word-level
 * vocabulary is built from the dataset when the run starts, and always keeps the trigger's words whole.
 * No clean-text counts here (no data is loaded in setup): the run reports them.
 */
import { useEffect, useMemo, useState } from 'react';
import { ATTACKS } from '../engine/attacks/registry';
import { describeTrigger } from '../engine/attacks/trigger-tokens';
import { SPECIAL_TOKENS, Tokenizer, tokenize, type TextTokenizer } from '../engine/data/tokenizer';
import type { WordPieceTokenizer } from '../engine/data/wordpiece';
import { shippedVocabulary } from './shipped-vocabulary';
import { useLab } from './lab-context';
import { TriggerReportLine } from './TriggerPieces';
import { errorMessage } from '../engine/error-message';

type Vocabulary = { state: 'loading' } | { state: 'ready'; tokenizer: WordPieceTokenizer } | { state: 'failed'; message: string };

const WORD_NOTE = "A word-level vocabulary is built from the dataset's training text when the run starts, and it always keeps the trigger's words whole, one token each";

export function TriggerPreview() {
  const attack = useLab((s) => s.config.attack);
  const kind = useLab((s) => s.config.data.tokenizer);
  const shipped = useShippedVocabulary(kind === 'wordpiece');
  const report = useMemo(() => {
    if (kind !== 'wordpiece') {
      // The run reserves the trigger's words in the vocabulary it builds, so a vocabulary of just them
      // reads the trigger exactly as the run will.
      const words = tokenize(ATTACKS[attack.kind].addedText(attack));
      const tokenizer: TextTokenizer = Tokenizer.fromTexts([], { vocabSize: SPECIAL_TOKENS.length + words.length + 1, reserved: words });
      return { ...describeTrigger(tokenizer, attack), summary: WORD_NOTE };
    }
    if (shipped.state !== 'ready') return null;
    const r = describeTrigger(shipped.tokenizer, attack);
    return r.words.every((w) => w.oneToken) ? r : { ...r, summary: `${r.summary}; the run counts these pieces in the clean training text` };
  }, [attack, kind, shipped]);

  if (!ATTACKS[attack.kind].usesTriggerText) return null;
  if (report) return <TriggerReportLine report={report} testId="trigger-preview" />;
  return (
    <p className="trigger-report" data-testid="trigger-preview">
      {shipped.state === 'failed' ? `The shipped vocabulary could not be loaded (${shipped.message}); the run will say how it reads the trigger.` : 'Loading the shipped vocabulary…'}
    </p>
  );
}

/** The shipped vocabulary, fetched only once the form asks for it. */
function useShippedVocabulary(wanted: boolean): Vocabulary {
  const [vocabulary, setVocabulary] = useState<Vocabulary>({ state: 'loading' });
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    shippedVocabulary().then(
      (tokenizer) => live && setVocabulary({ state: 'ready', tokenizer }),
      (err: unknown) => live && setVocabulary({ state: 'failed', message: errorMessage(err) }),
    );
    return () => {
      live = false;
    };
  }, [wanted]);
  return vocabulary;
}
