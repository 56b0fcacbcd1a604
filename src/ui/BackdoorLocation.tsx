/**
 * Where the backdoor lives: the poisoned model's CA and ASR with one part put back as it was before
 * poisoning — the trigger's embedding rows, each block, the head. A part whose reset brings the ASR
 * down to its floor is where the backdoor is stored. The lesson: LoRA poisoning leaves the embeddings
 * alone, so the backdoor is a circuit in the blocks that a defense can reach; full fine-tuning can hide
 * it in the trigger's own row, which no clean-data defense ever gives a gradient.
 */
import { useLab } from './lab-context';
import { deltaPoints, percent } from './format';

export function BackdoorLocation() {
  const probes = useLab((s) => s.run.results?.backdoorLocation);
  const poisoned = useLab((s) => s.run.results?.stages.poison?.final);
  const method = useLab((s) => s.run.results?.config.poison.method);
  const subword = useLab((s) => s.run.results?.config.data.tokenizer === 'wordpiece');
  if (!probes || !poisoned) return <p className="hint">This run has no location probe (it predates it).</p>;
  return (
    <div className="backdoor-location" data-testid="backdoor-location">
      <p>
        The poisoned student ({method === 'lora' ? 'poisoned through a merged LoRA adapter' : 'poisoned by full fine-tuning'}) with one part put back as it was
        before the attack. Where the ASR falls to its floor, that part holds the backdoor.
        {subword ? ' Under the subword vocabulary the trigger’s rows are its pieces, which clean words share: resetting them touches clean text too.' : ''}
      </p>
      <div className="table-scroll">
        <table className="results">
          <caption>Poisoned model: CA {percent(poisoned.ca)}, ASR {percent(poisoned.asr)}, floor {percent(poisoned.asrBase)}.</caption>
          <thead>
            <tr>
              <th>Part reset</th>
              <th>CA</th>
              <th>ASR</th>
              <th>ASR floor</th>
              <th>ΔASR vs poisoned</th>
            </tr>
          </thead>
          <tbody>
            {probes.map((p) => (
              <tr key={p.part} data-testid={`location-${p.part.replace(/\s+/g, '-')}`}>
                <th scope="row">{p.part}</th>
                <td>{percent(p.ca)}</td>
                <td data-testid="location-asr">{percent(p.asr)}</td>
                <td>{percent(p.asrBase)}</td>
                <td>{deltaPoints(p.asr, poisoned.asr)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
