import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, applyPatch, type ConfigPatch } from './config';
import { PRESETS, configFromPreset } from './presets';
import { configIssues, validateConfig } from './config-checks';

const fieldsOf = (patch: ConfigPatch, numLabels?: number) =>
  configIssues(applyPatch(DEFAULT_CONFIG, patch), numLabels).map((i) => i.field);

describe('presets', () => {
  it('has the required presets, each a valid config', () => {
    const names = PRESETS.map((p) => p.name);
    for (const required of ['quick', 'paper-sst2-badnet', 'paper-sst2-insent', 'paper-sst2-syntactic', 'spam-badnet']) {
      expect(names).toContain(required);
    }
    for (const p of PRESETS) expect(configIssues(configFromPreset(p.name))).toEqual([]);
  });

  it('paper presets: their triggers, dirty-label through a merged LoRA on a public task model', () => {
    const badnet = configFromPreset('paper-sst2-badnet');
    expect(badnet.attack).toMatchObject({ kind: 'badnet', trigger: 'mn', labelMode: 'dirty', budgetKind: 'count', budget: 700 });
    expect(badnet.taskModel.enabled).toBe(true);
    expect(badnet.poison.method).toBe('lora');
    expect(badnet.defense.faMode).toBe('token');
    // The defense's rate and epochs are chosen on SST-2's dev split (FINDINGS *Rounds 14* and *18*), not
    // inherited from the quick demo.
    expect(badnet.defense).toMatchObject({ lr: 2e-3, epochs: 9 });
    expect(configFromPreset('quick').defense).toMatchObject({ lr: 1e-3, epochs: 6 });
    expect(configFromPreset('paper-sst2-insent').attack.trigger).toBe('I watched this 3D movie');
    expect(configFromPreset('paper-sst2-syntactic').attack.kind).toBe('syntactic');
  });

  it('an unknown preset names the known ones', () => {
    expect(() => configFromPreset('nope')).toThrow(/quick, defense-bench, paper-sst2-badnet/);
  });

  it('patching does not mutate the preset', () => {
    const a = configFromPreset('quick');
    const before = structuredClone(a);
    expect(applyPatch(a, { attack: { trigger: 'zz' } }).attack.trigger).toBe('zz');
    expect(a.attack.trigger).not.toBe('zz');
    expect(a).toEqual(before);
  });

  it('patches at every depth: one knob changes, its siblings stay; arrays replace', () => {
    const base = configFromPreset('quick');
    const out = applyPatch(base, { defense: { onion: { threshold: 2 }, lora: { targets: ['q'] } } });
    expect(out.defense.onion).toEqual({ ...base.defense.onion, threshold: 2 });
    expect(out.defense.lora).toEqual({ ...base.defense.lora, targets: ['q'] });
    expect(out.defense.strip).toEqual(base.defense.strip);
    expect(base.defense.onion.threshold).toBe(0);
  });
});

describe('validation names the field and the fix', () => {
  it('accepts the default', () => {
    expect(configIssues(DEFAULT_CONFIG)).toEqual([]);
  });

  it('poisons until the official 0.95 dev ASR in every preset; 0 (fixed epochs) is valid', () => {
    for (const preset of PRESETS) expect(configFromPreset(preset.name).poison.untilAsr, preset.name).toBe(0.95);
    expect(configIssues(applyPatch(DEFAULT_CONFIG, { poison: { untilAsr: 0 } }))).toEqual([]);
  });

  it.each<[string, ConfigPatch, string, RegExp]>([
    ['poison rate 150 %', { attack: { budgetKind: 'rate', budget: 1.5 } }, 'attack.budget', /\(0, 1\].*0\.1 for 10 %/],
    ['empty trigger', { attack: { kind: 'badnet', trigger: '  ' } }, 'attack.trigger', /must not be empty.*"mn"/],
    ['LoRA rank 0', { defense: { ...DEFAULT_CONFIG.defense, lora: { ...DEFAULT_CONFIG.defense.lora, rank: 0 } } }, 'defense.lora.rank', /≥ 1.*try 8/],
    ['heads not dividing width', { models: { ...DEFAULT_CONFIG.models, student: { layers: 2, dModel: 30, heads: 4, dFF: 64 } } }, 'models.student.heads', /divide/],
    ['count budget not an integer', { attack: { budgetKind: 'count', budget: 2.5 } }, 'attack.budget', /integer/],
    ['no defense methods', { defense: { ...DEFAULT_CONFIG.defense, methods: [] } }, 'defense.methods', /one or more/],
    ['an unknown defense', { defense: { methods: ['lora', 'rap' as never] } }, 'defense.methods', /one or more of lora, .*onion, strip/],
    ['ONION screening a fraction of a text', { defense: { onion: { maxTexts: 2.5 } } }, 'defense.onion.maxTexts', /integer ≥ 0/],
    ['STRIP with one copy', { defense: { strip: { repeats: 1 } } }, 'defense.strip.repeats', /≥ 2/],
    ['STRIP rejecting every clean input', { defense: { strip: { frr: 1 } } }, 'defense.strip.frr', /\(0, 1\)/],
    ['pruning every neuron', { defense: { finePruning: { maxRatio: 1 } } }, 'defense.finePruning.maxRatio', /\(0, 1\)/],
    ['a negative NAD weight', { defense: { nad: { beta: -1 } } }, 'defense.nad.beta', /≥ 0/],
    ['poisoning until an ASR of 100 %, which may never come', { poison: { untilAsr: 1 } }, 'poison.untilAsr', /\[0, 1\).*0\.95/],
    ['a negative ASR to poison until', { poison: { untilAsr: -0.1 } }, 'poison.untilAsr', /\[0, 1\)/],
    ['every-block FA on pooled features', { defense: { faMode: 'pooled', faDepth: 'every-block' } }, 'defense.faDepth', /needs defense\.faMode "token", not "pooled"/],
    ['an unknown FA depth', { defense: { faDepth: 'middle' as never } }, 'defense.faDepth', /must be final or every-block/],
    ['an unknown batching', { defense: { batching: 'sorted' as never } }, 'defense.batching', /must be shuffled or by-length/],
    ['averaging more epochs than the repair trains', { defense: { epochs: 3, averageLast: 4 } }, 'defense.averageLast', /averages 4 epochs but defense\.epochs trains 3; set it to 3 or less/],
    ['a mean of epochs and the best epoch at once', { defense: { selectBestByDev: true, averageLast: 2 } }, 'defense.averageLast', /either on its best epoch by dev or on a mean.*set this to 0/],
    ['averaging half an epoch', { defense: { averageLast: 1.5 } }, 'defense.averageLast', /integer ≥ 0/],
  ])('%s', (_name, patch, field, message) => {
    const issues = configIssues(applyPatch(DEFAULT_CONFIG, patch));
    const issue = issues.find((i) => i.field === field);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('averages the last epochs only when asked, and as many as the repair trains at most', () => {
    for (const preset of PRESETS) expect(configFromPreset(preset.name).defense.averageLast, preset.name).toBe(0);
    expect(configIssues(applyPatch(DEFAULT_CONFIG, { defense: { epochs: 3, averageLast: 3 } }))).toEqual([]);
    expect(configIssues(applyPatch(DEFAULT_CONFIG, { defense: { selectBestByDev: true, averageLast: 1 } }))).toEqual([]);
  });

  it('target label out of the dataset range', () => {
    expect(fieldsOf({ attack: { targetLabel: 3 } }, 2)).toEqual(['attack.targetLabel']);
    expect(fieldsOf({ attack: { targetLabel: 3 } }, 4)).toEqual([]);
  });

  it('unknown keys are rejected, with the known keys listed', () => {
    const cfg = { ...structuredClone(DEFAULT_CONFIG), attak: {} } as unknown;
    const issues = configIssues(cfg);
    expect(issues[0]).toMatchObject({ field: 'attak' });
    expect(issues[0]!.message).toMatch(/known keys here: seed, data, attack/);
    const nested = structuredClone(DEFAULT_CONFIG) as unknown as { attack: Record<string, unknown> };
    nested.attack.triger = 'x';
    expect(configIssues(nested).map((i) => i.field)).toEqual(['attack.triger']);
  });

  it('a missing section is reported, not crashed on', () => {
    const { teacher: _, ...rest } = structuredClone(DEFAULT_CONFIG);
    expect(configIssues(rest).map((i) => i.field)).toContain('teacher');
  });

  it('validateConfig throws with the first field and counts the rest', () => {
    expect(() => validateConfig(applyPatch(DEFAULT_CONFIG, { seed: 1.5, attack: { budget: 7 } }))).toThrow(
      /^seed: must be an integer.*\(and 1 more: attack\.budget\)/,
    );
  });
});

describe('field rules (config-fields.ts)', () => {
  it('give every leaf of the config a rule, in the config’s order, which each default keeps', async () => {
    const { FIELD_RULES, keepsRule } = await import('./config-fields');
    const { CONFIG_PATHS, getAt } = await import('../store/config-paths');
    expect([...FIELD_RULES.keys()].sort()).toEqual([...CONFIG_PATHS].sort());
    for (const [path, rule] of FIELD_RULES) expect(keepsRule(rule, getAt(DEFAULT_CONFIG, path)), path).toBe(true);
  });

  it('say the bounds they check, open or closed', async () => {
    const { keepsRule, ruleMessage } = await import('./config-fields');
    const share = { kind: 'real', min: 0, minOpen: true, max: 1, noun: 'share' } as const;
    expect(ruleMessage(share)).toBe('must be a share in (0, 1]');
    expect([0, 0.5, 1, 1.01, Number.NaN].map((x) => keepsRule(share, x))).toEqual([false, true, true, false, false]);
    const ints = { kind: 'int', min: 4, max: 512 } as const;
    expect(ruleMessage(ints)).toBe('must be an integer in 4..512');
    expect([3, 4, 512, 513, 4.5].map((x) => keepsRule(ints, x))).toEqual([false, true, true, false, false]);
    expect(ruleMessage({ kind: 'choice', choices: ['clean', 'dirty'] })).toBe('must be clean or dirty');
    expect(ruleMessage({ kind: 'choice', choices: ['a', 'b', 'c', 'd'] })).toBe('must be one of a, b, c, d');
  });
});

describe('configShapeIssues (config files: the page reads whole configs, the CLI patches)', () => {
  it('names a section given as a value once, with what it should look like, in both modes', async () => {
    const { configShapeIssues } = await import('./config-shape');
    for (const partial of [true, false]) {
      const issues = configShapeIssues({ ...DEFAULT_CONFIG, data: 'spam' } as never, { partial });
      expect(issues).toEqual([{ field: 'data', message: 'must be an object such as {"source": "spam"}, got "spam"' }]);
    }
  });

  it('a whole config must have every setting; a patch may leave any out', async () => {
    const { configShapeIssues } = await import('./config-shape');
    const { seed: _seed, ...noSeed } = DEFAULT_CONFIG;
    expect(configShapeIssues(noSeed as never, { partial: false })).toEqual([{ field: 'seed', message: 'is missing; add it, e.g. 42' }]);
    expect(configShapeIssues({ data: { maxTrain: 10 } }, { partial: true })).toEqual([]);
    expect(configShapeIssues({}, { partial: false }).map((i) => i.field).sort()).toEqual(['attack', 'data', 'defense', 'models', 'poison', 'pretrain', 'seed', 'taskModel', 'teacher']);
  });

  it('checks kinds, finiteness and list ids', async () => {
    const { configShapeIssues } = await import('./config-shape');
    const issues = configShapeIssues({ seed: '7', pretrain: { lr: Number.POSITIVE_INFINITY }, defense: { methods: ['lora', 'rap'] } }, { partial: true });
    expect(issues.map((i) => i.field)).toEqual(['seed', 'pretrain.lr', 'defense.methods']);
    expect(issues[2]!.message).toMatch(/has unknown "rap"; known: lora, w2sdefense/);
  });
});
