"""Replays the paper's epoch selection, the best epoch by dev accuracy, on finished `npm run bench:science`
runs. It reads only their per-epoch records, so it needs no training. A research script: the lab never runs it.

    python3 scripts/replay_best_by_dev.py RUN_DIR...

Each RUN_DIR holds PRESET-seedN folders with a results.json that has `defense:lora` and `defense:w2sdefense`.

What is replayed:
- Plain LoRA and W2SDefense each keep the first epoch with the highest `devAcc` (Python's `max` keeps the
  first of equals), as `defense.selectBestByDev` does (src/engine/defenses/end-state.ts).
- Every record is a model the run evaluated, so the replay reads the same numbers a run with the switch on
  would report.

A cell meets the target when all three hold (the comparisons of src/cli/science-targets.ts, plus the CA bound):
- W2SDefense's ASR ≤ the clean model's floor + 10 points;
- W2SDefense's ASR ≤ half of plain LoRA's ASR;
- W2SDefense's CA ≥ the poisoned student's CA − 2 points.

Each cell is printed twice: once at the last epoch (the shipped read) and once at the selected epoch.
"""
import glob, json, os, statistics, sys


def best_by_dev(epochs):
    return max(epochs, key=lambda record: record['devAcc'])


def meets(w2s, lora, floor, poisoned_ca):
    return w2s['asr'] <= floor + 0.1 and w2s['asr'] <= lora['asr'] / 2 and w2s['ca'] >= poisoned_ca - 0.02


print('| cell | floor | last epoch: `lora` / `w2sdefense` | met | best by dev: `lora` (epoch) / `w2sdefense` (epoch) | met |')
print('|---|---|---|---|---|---|')
count = {'last': 0, 'best': 0}
asr = {'last': [], 'best': []}
cells = 0
for run_dir in sys.argv[1:]:
    for path in sorted(glob.glob(os.path.join(run_dir, '*', 'results.json'))):
        result = json.load(open(path))
        stages = result['stages']
        floor = result['floors']['cleanModelAsr']
        poisoned_ca = stages['poison']['final']['ca']
        lora, w2s = stages['defense:lora']['epochs'], stages['defense:w2sdefense']['epochs']
        reads = {'last': (lora[-1], w2s[-1]), 'best': (best_by_dev(lora), best_by_dev(w2s))}
        met = {k: meets(w, l, floor, poisoned_ca) for k, (l, w) in reads.items()}
        cells += 1
        for k in reads:
            count[k] += met[k]
            asr[k].append(reads[k][1]['asr'] * 100)
        (ll, lw), (bl, bw) = reads['last'], reads['best']
        cell = os.path.basename(os.path.dirname(path))
        print(f"| {cell} | {floor * 100:.1f} | {ll['asr'] * 100:.1f} / {lw['asr'] * 100:.1f} | {'yes' if met['last'] else 'no'} "
              f"| {bl['asr'] * 100:.1f} ({bl['epoch']}) / {bw['asr'] * 100:.1f} ({bw['epoch']}) | {'yes' if met['best'] else 'no'} |")
if cells:
    print(f"\nmet: last epoch {count['last']} of {cells}, best by dev {count['best']} of {cells}; "
          f"mean W2SDefense ASR: last epoch {statistics.mean(asr['last']):.1f}, best by dev {statistics.mean(asr['best']):.1f}")
