/**
 * A trigger as the model reads it: one chip per token, a word's pieces kept together (one list item per
 * word, so a screen reader hears "m ##n" as one word's pieces). The chip's text says it all (`##n`
 * continues a word, `[UNK]` is the out-of-vocabulary token); the styling only repeats it, so nothing
 * rests on colour. Used by the setup form, the try-it box and the results.
 */
import type { TriggerPiece, TriggerReport } from '../engine/attacks/trigger-tokens';

export function TriggerPieces({ report }: { report: TriggerReport }) {
  return (
    <span className="trigger-pieces" role="list" aria-label="The trigger's tokens">
      {report.words.map((w, i) => (
        <span key={i} role="listitem" className="trigger-word" title={w.oneToken ? `"${w.word}": one token` : `"${w.word}": ${w.pieces.length === 1 ? 'read as [UNK]' : `${w.pieces.length} pieces`}`}>
          {w.pieces.map((p, j) => (
            <span key={j} className={chipClass(p)} title={chipTitle(p, report.cleanTexts)} data-testid="trigger-piece">
              {p.text}
            </span>
          ))}
        </span>
      ))}
    </span>
  );
}

/** The chips and the verdict in one line, after an optional lead-in. */
export function TriggerReportLine({ report, testId, label }: { report: TriggerReport; testId: string; label?: string }) {
  return (
    <p className="trigger-report" data-testid={testId} data-one-token={String(report.words.every((w) => w.oneToken))}>
      {label && <strong>{label} </strong>}
      <TriggerPieces report={report} /> <span className="trigger-summary">{report.summary}.</span>
    </p>
  );
}

function chipClass(p: TriggerPiece): string {
  return ['trigger-piece', p.continuation ? 'continuation' : '', p.unknown ? 'unknown' : ''].filter(Boolean).join(' ');
}

function chipTitle(p: TriggerPiece, total: number | undefined): string {
  const what = p.unknown ? 'the word is outside the vocabulary' : p.continuation ? 'continues the word before it' : 'a token of the vocabulary';
  const where = p.cleanTexts === undefined || total === undefined ? '' : `; in ${p.cleanTexts.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} clean training texts`;
  return `${p.text}: ${what}${where}`;
}
