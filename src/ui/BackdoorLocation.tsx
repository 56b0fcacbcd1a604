/**
 * Where the backdoor lives: the poisoned model's CA and ASR with one part put back as it was before
 * poisoning — the trigger's embedding rows, each block, the head — ending in one sentence computed from
 * those numbers (`location-verdict.ts`), the part that holds the backdoor highlighted. The lesson: LoRA poisoning leaves the embeddings
 * alone, so the backdoor is a circuit in the blocks that a defense can reach; full fine-tuning can hide
 * it in the trigger's own row, which no clean-data defense ever gives a gradient.
 */
import { useLab } from './lab-context';
import { deltaPoints, percent } from './format';
import { locationVerdict, partInWords, removedShare } from './location-verdict';

export function BackdoorLocation() {
  const probes = useLab((s) => s.run.results?.backdoorLocation);
  const poisoned = useLab((s) => s.run.results?.stages.poison?.final);
  const method = useLab((s) => s.run.results?.config.poison.method);
  const cleanFloor = useLab((s) => s.run.floors?.cleanModelAsr ?? null);
  if (!probes || !poisoned) return <p className="hint">This run has no location probe (it predates it).</p>;
  const verdict = locationVerdict(probes, poisoned, cleanFloor);
  return (
    <div className="backdoor-location" data-testid="backdoor-location">
      <p className="verdict" data-testid="location-verdict">
        <strong>{verdict.sentence}</strong>
      </p>
      <p className="hint">
        The poisoned student ({method === 'lora' ? 'backdoored through a merged LoRA adapter' : 'backdoored by full fine-tuning'}), with one part at a time put back as it was
        before the attack. A part whose reset takes the ASR down to the floor is where the backdoor is stored.
      </p>
      <div className="table-scroll">
        <table className="results">
          <caption>Poisoned model: CA {percent(poisoned.ca)}, ASR {percent(poisoned.asr)}{cleanFloor !== null ? `, clean-model floor ${percent(cleanFloor)}` : ''}.</caption>
          <thead>
            <tr>
              <th>Part put back</th>
              <th>CA</th>
              <th>ASR</th>
              <th>Backdoor removed</th>
              <th>ΔASR vs poisoned</th>
            </tr>
          </thead>
          <tbody>
            {probes.map((p) => (
              <tr key={p.part} data-testid={`location-${p.part.replace(/\s+/g, '-')}`} className={p.part === verdict.holder ? 'best' : undefined}>
                <th scope="row">{partInWords(p.part)}</th>
                <td>{percent(p.ca)}</td>
                <td data-testid="location-asr">{percent(p.asr)}</td>
                <td>{Math.round(removedShare(p, poisoned, cleanFloor) * 100)} %</td>
                <td>{deltaPoints(p.asr, poisoned.asr)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
