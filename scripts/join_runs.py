"""Joins two `npm run bench:science` run folders that repaired the same cached stages with different
defenses (e.g. `lora`, `w2sdefense` in one and `kd-only`, `fa-only` in the other) into one, so that
`--report-only` renders every defense of a cell side by side (docs/results/sst2-round20.md). A research
script: the lab never runs it.

    python3 scripts/join_runs.py OUT_DIR RUNS_A RUNS_B

Each PRESET-seedN folder present in both is joined: A's results.json with B's defense stages added. It
refuses a pair whose attacker and teacher stages or floors differ (then the two runs did not repair the
same models, and a side-by-side table would compare different things), and a defense both runs hold.
"""
import json, os, sys

out_dir, runs_a, runs_b = sys.argv[1:4]
SHARED = ('pretrain', 'task', 'poison', 'teacher')
joined = 0
for cell in sorted(os.listdir(runs_a)):
    path_a, path_b = (os.path.join(d, cell, 'results.json') for d in (runs_a, runs_b))
    if not (os.path.isfile(path_a) and os.path.isfile(path_b)):
        continue
    a, b = (json.load(open(p)) for p in (path_a, path_b))
    for stage in SHARED:
        if a['stages'].get(stage, {}).get('final') != b['stages'].get(stage, {}).get('final'):
            sys.exit(f'{cell}: stage {stage} differs between the two runs; they did not repair the same models')
    if a.get('floors') != b.get('floors'):
        sys.exit(f'{cell}: the floors differ between the two runs')
    added = [s for s in b['stages'] if s.startswith('defense:')]
    both = [s for s in added if s in a['stages']]
    if both:
        sys.exit(f'{cell}: both runs hold {", ".join(both)}')
    for stage in added:
        a['stages'][stage] = b['stages'][stage]
    a['config']['defense']['methods'] += b['config']['defense']['methods']
    os.makedirs(os.path.join(out_dir, cell), exist_ok=True)
    json.dump(a, open(os.path.join(out_dir, cell, 'results.json'), 'w'))
    joined += 1
    print(f'{cell}: {", ".join(a["config"]["defense"]["methods"])}')
print(f'joined {joined} cells into {out_dir}')
