/**
 * Hardening: every malformed config that reaches the lab through a link (`readHash`) or a
 * loaded file (`parseConfigFile`) gets one message naming the key and the fix, never throws, never
 * yields a config that would fail at Run, and keeps the previous value where the input is unusable.
 * One row per bad input, so each is counted (and named) on its own.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, DEFAULT_TRIGGERS, type ExperimentConfig } from '../engine/config';
import { configFromPreset } from '../engine/presets';
import { configIssues } from '../engine/config-checks';
import type { RunResults } from '../engine/events';
import { CONFIG_PATHS, leafKind, listChoices, setAll, type LeafValue } from './config-paths';
import { datasetSpecFor, knownLabelCount } from './dataset-spec';
import { configJson, MAX_CONFIG_FILE_CHARS, parseConfigFile } from './exports';
import { createLabActions } from './lab-actions';
import { LabClient, type WorkerPort } from './lab-client';
import { createLabStore } from './lab-store';
import { MAX_HASH_CHARS, readHash, writeHash } from './url-state';

/** The defaults a message names (the value kept, the example given): read here, so a new default needs no edit. */
const D = DEFAULT_CONFIG;

/**
 * A RegExp from a template: the literal parts are regex source, each `${value}` matches its text exactly
 * (a list as a link writes it, comma-joined).
 */
function re(strings: TemplateStringsArray, ...values: unknown[]): RegExp {
  const text = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
  return new RegExp(String.raw({ raw: strings.raw }, ...values.map((v) => text(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))));
}

/** A string as messages quote it. */
const q = (text: string) => JSON.stringify(text);

/** No issue Run would raise, the label range included where the dataset is built in. */
function runIssues(config: ExperimentConfig) {
  return configIssues(config, knownLabelCount(config.data.source, null));
}

interface HashRow {
  name: string;
  hash: string;
  /** Matched against the warnings, joined by newlines. */
  warning: RegExp;
  /** How many warnings the hash yields; one unless the row says otherwise. */
  count?: number;
  /** The starting point the link names; the default config otherwise. */
  preset?: string;
  /** Settings of the same hash that must still apply. Every other field keeps the starting value. */
  good?: [string, LeafValue][];
}

const HASH_ROWS: HashRow[] = [
  // Unknown keys, at the top and at depth, and a group used as a setting.
  { name: 'unknown top-level key', hash: '#nope=1&seed=7', warning: /unknown setting "nope"; the top-level keys are seed, data, attack/, good: [['seed', 7]] },
  { name: 'unknown key at depth (typo)', hash: '#models.student.layerz=2&seed=7', warning: /unknown setting "models\.student\.layerz"; models\.student has layers, dModel, heads, dFF — did you mean models\.student\.layers\?/, good: [['seed', 7]] },
  { name: 'key under a setting', hash: '#attack.trigger.x=1&seed=7', warning: /unknown setting "attack\.trigger\.x": attack\.trigger is one setting with nothing under it; write attack\.trigger=…/, good: [['seed', 7]] },
  { name: 'unknown key in a nested group', hash: '#defense.onion.thresh=1&seed=7', warning: /unknown setting "defense\.onion\.thresh"; defense\.onion has threshold, maxTexts — did you mean defense\.onion\.threshold\?/, good: [['seed', 7]] },
  { name: 'group name used as a setting', hash: '#attack=3&seed=7', warning: /"attack" is a group of settings, not one: set a key inside it, e\.g\. attack\.kind=…; its keys: kind, trigger/, good: [['seed', 7]] },
  { name: 'key outside any group', hash: '#foo.bar=1&seed=7', warning: /unknown setting "foo\.bar"; the top-level keys are seed/, good: [['seed', 7]] },
  { name: 'prototype key', hash: '#__proto__.polluted=1&constructor=1&seed=7', count: 2, warning: /unknown setting "__proto__\.polluted"[^]*unknown setting "constructor"/, good: [['seed', 7]] },
  { name: 'no key before "="', hash: '#=5&seed=7', warning: /ignored "=5": no setting is named before "="/, good: [['seed', 7]] },
  // Wrong types.
  { name: 'text for a number', hash: '#seed=abc&data.maxTrain=50', warning: re`ignored seed: "abc" is not a number; write a number such as ${D.seed} \(kept ${D.seed}\)`, good: [['data.maxTrain', 50]] },
  { name: 'boolean for a number', hash: '#data.maxTrain=true&seed=7', warning: re`data\.maxTrain: "true" is not a number; write a number such as ${D.data.maxTrain} \(kept ${D.data.maxTrain}\)`, good: [['seed', 7]] },
  { name: 'word for a boolean', hash: '#defense.selectBestByDev=yes&seed=7', warning: /defense\.selectBestByDev: "yes" is not true or false; write defense\.selectBestByDev=true or defense\.selectBestByDev=false/, good: [['seed', 7]] },
  { name: 'number for a list of methods', hash: '#defense.methods=42&seed=7', warning: /defense\.methods: unknown "42"; known: lora, w2sdefense, kd-only, fa-only, full-ft, fine-pruning, nad, onion, strip/, good: [['seed', 7]] },
  { name: 'unknown method id beside a good one', hash: '#defense.methods=lora,bogus&seed=7', warning: re`defense\.methods: unknown "bogus"; known: lora, w2sdefense.*\(kept ${D.defense.methods}\)`, good: [['seed', 7]] },
  { name: 'empty list of methods', hash: '#defense.methods=&seed=7', warning: /defense\.methods: the list is empty; list one or more of lora, w2sdefense/, good: [['seed', 7]] },
  { name: 'unknown LoRA target', hash: '#poison.lora.targets=q,z&seed=7', warning: /poison\.lora\.targets: unknown "z"; known: q, k, v, o, ff1, ff2/, good: [['seed', 7]] },
  // Numbers that are not finite, and empty values.
  { name: 'NaN', hash: '#seed=NaN&data.maxTrain=50', warning: /seed: "NaN" is not a number/, good: [['data.maxTrain', 50]] },
  { name: 'Infinity', hash: '#seed=Infinity&data.maxTrain=50', warning: re`seed: "Infinity" is not a finite number; write a number such as ${D.seed}`, good: [['data.maxTrain', 50]] },
  { name: '-Infinity', hash: '#defense.onion.threshold=-Infinity&seed=7', warning: re`defense\.onion\.threshold: "-Infinity" is not a finite number; write a number such as ${D.defense.onion.threshold}`, good: [['seed', 7]] },
  { name: 'overflowing literal 1e999', hash: '#data.maxTrain=1e999&seed=7', warning: /data\.maxTrain: "1e999" is not a finite number/, good: [['seed', 7]] },
  { name: 'empty number', hash: '#seed=&data.maxTrain=50', warning: re`seed: the value is empty; write a number such as ${D.seed} \(kept ${D.seed}\)`, good: [['data.maxTrain', 50]] },
  { name: 'empty trigger', hash: '#attack.trigger=&seed=7', warning: re`ignored attack\.trigger="": must not be empty for a ${D.attack.kind} attack; e\.g\. ${q(DEFAULT_TRIGGERS[D.attack.kind])} \(kept ${q(D.attack.trigger)}\)`, good: [['seed', 7]] },
  { name: 'empty dataset name', hash: '#data.source=&seed=7', warning: re`ignored data\.source="": name a dataset, e\.g\. "spam" or "sst2" \(kept ${q(D.data.source)}\)`, good: [['seed', 7]] },
  // Out of range: configIssues, the check Run makes, turns the value away.
  { name: 'maxLength out of range', hash: '#data.maxLength=9999&seed=7', warning: re`ignored data\.maxLength="9999": must be an integer in 4\.\.512 \(kept ${D.data.maxLength}\)`, good: [['seed', 7]] },
  { name: 'poison rate above 1', hash: '#attack.budget=1.5&seed=7', warning: re`ignored attack\.budget="1\.5": a poison rate must be in \(0, 1\], got 1\.5; write 0\.1 for 10 % \(kept ${D.attack.budget}\)`, good: [['seed', 7]] },
  { name: 'fractional seed', hash: '#seed=1.5&data.maxTrain=50', warning: re`ignored seed="1\.5": must be an integer, e\.g\. 42 \(kept ${D.seed}\)`, good: [['data.maxTrain', 50]] },
  { name: 'unknown attack kind', hash: '#attack.kind=bogus&seed=7', warning: re`ignored attack\.kind="bogus": must be one of badnet, insent, syntactic, custom \(kept ${q(D.attack.kind)}\)`, good: [['seed', 7]] },
  { name: 'target label past the dataset', hash: '#attack.targetLabel=5&seed=7', warning: re`ignored attack\.targetLabel="5": is 5 but the dataset has 2 labels \(0\.\.1\) \(kept ${D.attack.targetLabel}\)`, good: [['seed', 7]] },
  { name: 'heads that do not divide dModel', hash: '#models.student.heads=3&seed=7', warning: re`ignored models\.student\.heads="3": must divide dModel \(${D.models.student.dModel}\) \(kept ${D.models.student.heads}\)`, good: [['seed', 7]] },
  { name: 'dModel that its heads do not divide (blame the key that broke it)', hash: '#models.student.dModel=63&seed=7', warning: re`ignored models\.student\.dModel="63": with it, models\.student\.heads: must divide dModel \(63\) \(kept ${D.models.student.dModel}\)`, good: [['seed', 7]] },
  { name: 'tokenizer the shipped checkpoints cannot read', hash: '#data.tokenizer=word&seed=7', warning: /ignored data\.tokenizer="word": with it, pretrain\.checkpoint: the shipped checkpoints read the shipped vocabulary/, good: [['seed', 7]] },
  { name: 'count budget kind with a rate budget', hash: '#attack.budgetKind=count&attack.budget=0.5', warning: re`ignored attack\.budgetKind="count": with it, attack\.budget: a poison count must be an integer ≥ 1, got 0\.5 \(kept ${q(D.attack.budgetKind)}\)`, good: [['attack.budget', 0.5]] },
  // Truncated links.
  { name: 'cut mid-key', hash: '#seed=4&attack.trig', warning: /unknown setting "attack\.trig"; attack has kind, trigger.* did you mean attack\.trigger\? \(it has no "=": was the link cut short\?\)/, good: [['seed', 4]] },
  { name: 'cut mid-preset', hash: '#preset=qu&seed=4', warning: /unknown preset "qu"; choose one of quick, defense-bench.* did you mean "quick"\? \(the link may have been cut short\); the lab started from the default config/, good: [['seed', 4]] },
  { name: 'cut percent escape', hash: '#seed=4&attack.trigger=%E2%8', warning: re`ignored attack\.trigger: "%E2%8" is cut short or not valid percent-encoding .*\(kept ${q(D.attack.trigger)}\)`, good: [['seed', 4]] },
  { name: 'cut percent escape in a key', hash: '#seed=4&attack.trig%E2=cf', warning: /ignored "attack\.trig%E2=cf": its name is cut short or not valid percent-encoding/, good: [['seed', 4]] },
  // Double encoding, length, duplicates.
  { name: 'whole hash encoded twice', hash: '#seed%3D4%26attack.trigger%3Dcf', warning: /this link was encoded twice \(its "=" and "&" arrived as %3D and %26\); the lab read it decoded once/, good: [['seed', 4], ['attack.trigger', 'cf']] },
  { name: 'whole hash encoded twice, values inside too', hash: `#${encodeURIComponent('seed=4&attack.trigger=I%20watched')}`, warning: /encoded twice/, good: [['seed', 4], ['attack.trigger', 'I watched']] },
  { name: `hash longer than ${MAX_HASH_CHARS / 1024} KiB`, hash: `#seed=4&attack.trigger=${'x'.repeat(MAX_HASH_CHARS)}`, warning: /this link's settings are 32 KiB, over the 32 KiB the lab reads .*ignored all of it — share the settings as a file \(Save config\)/ },
  { name: 'duplicate key: the last wins', hash: '#seed=1&seed=2', warning: /seed appears 2 times in this link; the lab used the last usable value, 2/, good: [['seed', 2]] },
  { name: 'duplicate key, the last unusable: the last usable wins', hash: '#seed=1&seed=abc', count: 2, warning: /seed: "abc" is not a number[^]*seed appears 2 times in this link; the lab used the last usable value, 1/, good: [['seed', 1]] },
  { name: 'duplicate preset: the last wins', hash: '#preset=quick&preset=spam-badnet&seed=4', preset: 'spam-badnet', warning: /preset appears 2 times in this link; the lab used the last, "spam-badnet"/, good: [['seed', 4]] },
  // _hide and presets.
  { name: '_hide of no control', hash: '#bogus_hide=true&seed=7', warning: /"bogus_hide" hides nothing: there is no control "bogus"; hide a setting \(attack\.trigger_hide=true\), a group \(attack_hide=true\) or the presets/, good: [['seed', 7]] },
  { name: '_hide of nothing at all', hash: '#_hide=true&seed=7', warning: /"_hide" hides nothing: put a control's name before it, e\.g\. attack\.trigger_hide=true/, good: [['seed', 7]] },
  { name: 'preset that does not exist', hash: '#preset=missing&seed=7', warning: /unknown preset "missing"; choose one of quick, defense-bench, paper-sst2-badnet.*; the lab started from the default config/, good: [['seed', 7]] },
  { name: 'empty preset', hash: '#preset=&seed=7', warning: /preset is empty; choose one of quick/, good: [['seed', 7]] },
  { name: 'bad key after a good preset', hash: '#preset=spam-badnet&data.maxLength=0', preset: 'spam-badnet', warning: re`ignored data\.maxLength="0": must be an integer in 4\.\.512 \(kept ${configFromPreset('spam-badnet').data.maxLength}\)` },
];

describe('a bad link: one warning naming the key and the fix; the rest of the link still applies', () => {
  it.each(HASH_ROWS)('$name', ({ hash, warning, count = 1, preset, good = [] }) => {
    const state = readHash(hash);
    const start = preset ? configFromPreset(preset) : DEFAULT_CONFIG;
    expect(state.warnings.join('\n')).toMatch(warning);
    expect(state.warnings).toHaveLength(count);
    expect(state.config).toEqual(setAll(start, good));
    expect(runIssues(state.config)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

interface AcceptedHash {
  name: string;
  hash: string;
  good: [string, LeafValue][];
}

/** Inputs that look odd but are legal: taken as written, no warning. Each documents a decision. */
const ACCEPTED_HASHES: AcceptedHash[] = [
  // A trigger is any text, markup included; React renders it as text, so nothing runs.
  { name: 'script-bearing trigger, raw', hash: '#attack.trigger=<img src=x onerror=alert(1)>', good: [['attack.trigger', '<img src=x onerror=alert(1)>']] },
  { name: 'script-bearing trigger, as the address bar encodes it', hash: '#attack.trigger=%3Cimg%20src=x%20onerror=alert(1)%3E', good: [['attack.trigger', '<img src=x onerror=alert(1)>']] },
  // Values are decoded once: "%2520cf" is the text "%20cf", exactly what the writer makes of that trigger.
  { name: 'double-encoded value is taken literally', hash: '#attack.trigger=%2520cf', good: [['attack.trigger', '%20cf']] },
  // Fields that constrain each other are judged together, so their order in the link does not matter.
  { name: 'heads before the dModel they divide', hash: '#models.student.heads=3&models.student.dModel=48', good: [['models.student.heads', 3], ['models.student.dModel', 48]] },
  { name: 'count budget after its kind', hash: '#attack.budget=700&attack.budgetKind=count', good: [['attack.budget', 700], ['attack.budgetKind', 'count']] },
  { name: 'word tokenizer with pretraining in the run', hash: '#data.tokenizer=word&pretrain.checkpoint=none', good: [['data.tokenizer', 'word'], ['pretrain.checkpoint', 'none']] },
  { name: 'a target label the new dataset has', hash: '#attack.targetLabel=3&data.source=ag_news', good: [['attack.targetLabel', 3], ['data.source', 'ag_news']] },
  // A link cannot carry an uploaded file: the name is kept and Run asks for the file (datasetSpecFor's message).
  { name: 'an uploaded dataset this page lacks', hash: '#data.source=mine.csv', good: [['data.source', 'mine.csv']] },
  { name: 'a repeated method is listed once', hash: '#defense.methods=lora,lora,nad', good: [['defense.methods', ['lora', 'nad']]] },
  { name: `a hash of exactly ${MAX_HASH_CHARS / 1024} KiB`, hash: `#attack.trigger=${'x'.repeat(MAX_HASH_CHARS - 'attack.trigger='.length)}`, good: [['attack.trigger', 'x'.repeat(MAX_HASH_CHARS - 'attack.trigger='.length)]] },
];

describe('odd but legal links are taken as written', () => {
  it.each(ACCEPTED_HASHES)('$name', ({ hash, good }) => {
    const state = readHash(hash);
    expect(state.warnings).toEqual([]);
    expect(state.config).toEqual(setAll(DEFAULT_CONFIG, good));
    expect(runIssues(state.config)).toEqual([]);
  });

  it('the uploaded dataset a link names is asked for at Run, by name', () => {
    const spec = datasetSpecFor(readHash('#data.source=mine.csv').config.data.source, null);
    expect(!spec.ok && spec.message).toMatch(/"mine\.csv" is an uploaded file this page does not have: upload it again/);
  });

  it('a trigger holding "%20" round-trips through the writer', () => {
    const config = setAll(DEFAULT_CONFIG, [['attack.trigger', '%20cf']]);
    expect(writeHash(config, [])).toContain('attack.trigger=%2520cf');
    expect(readHash(writeHash(config, [])).config).toEqual(config);
  });

  it('a link with every setting broken at once yields a config Run accepts, quickly, with a warning per setting', () => {
    const hash = `#${CONFIG_PATHS.map((p) => `${p}=${leafKind(p) === 'string' ? '' : leafKind(p) === 'list' ? 'bogus' : '-5'}`).join('&')}`;
    const began = performance.now();
    const state = readHash(hash);
    expect(performance.now() - began).toBeLessThan(5000);
    expect(runIssues(state.config)).toEqual([]);
    expect(state.warnings.length).toBeGreaterThan(20);
  });

  it('every list setting has a known set of ids, so a bad id is named at the edge', () => {
    for (const path of CONFIG_PATHS.filter((p) => leafKind(p) === 'list')) expect(listChoices(path), path).toBeDefined();
  });
});

const results: RunResults = { backend: 'cpu', config: DEFAULT_CONFIG, stages: {} };
const json = (x: unknown) => JSON.stringify(x, null, 2);
const withData = (data: Record<string, unknown>) => json({ ...DEFAULT_CONFIG, data: { ...DEFAULT_CONFIG.data, ...data } });
const withDefense = (defense: Record<string, unknown>) => json({ ...DEFAULT_CONFIG, defense: { ...DEFAULT_CONFIG.defense, ...defense } });
const withAttack = (attack: Record<string, unknown>) => json({ ...DEFAULT_CONFIG, attack: { ...DEFAULT_CONFIG.attack, ...attack } });

interface FileRow {
  name: string;
  text: string;
  message: RegExp;
  /** The field the message must name, where there is one. */
  field?: string;
}

const FILE_ROWS: FileRow[] = [
  { name: 'empty file', text: '', message: /is empty: load a file the lab wrote with Save config, or a results file/ },
  { name: 'only white space', text: ' \n\t', message: /is empty/ },
  { name: 'not JSON', text: 'seed=4&attack.trigger=cf', message: /is not JSON \(/ },
  { name: 'not JSON, brackets and all', text: '{nope}', message: /is not JSON \((?!.*cut short)/ },
  { name: 'truncated JSON', text: configJson(DEFAULT_CONFIG).slice(0, 200), message: /is not JSON: it stops in the middle, as if cut short; save or download it again/ },
  { name: 'truncated JSON between values', text: configJson(DEFAULT_CONFIG).split('"attack"')[0]!, message: /cut short/ },
  { name: 'a JSON array', text: '[1, 2]', message: /holds a JSON array, not a config: a config file is one JSON object, as Save config writes it/ },
  { name: 'a number', text: '42', message: /holds a number \(42\), not a config/ },
  { name: 'null', text: 'null', message: /holds null, not a config/ },
  { name: 'a string', text: '"config"', message: /holds a string, not a config/ },
  { name: 'results file with a broken config', text: json({ ...results, config: { ...DEFAULT_CONFIG, seed: 'x' } }), field: 'seed', message: re`is a results file whose config is not valid: seed must be a number such as ${D.seed}, not "x"` },
  { name: 'results file with a null config', text: json({ ...results, config: null }), field: 'config', message: /is a results file, but its "config" is null, not a config object/ },
  { name: 'unknown key at the top', text: json({ ...DEFAULT_CONFIG, sed: 4 }), field: 'sed', message: /sed unknown key; known keys here: seed, data, attack/ },
  { name: 'unknown key at depth', text: withDefense({ onion: { threshold: 0, maxTexts: 0, thresh: 1 } }), field: 'defense.onion.thresh', message: /defense\.onion\.thresh unknown key; known keys here: threshold, maxTexts/ },
  { name: 'text for a number', text: withData({ maxTrain: '600' }), field: 'data.maxTrain', message: re`data\.maxTrain must be a number such as ${D.data.maxTrain}, not "600"` },
  { name: 'text for a list', text: withDefense({ methods: 'lora' }), field: 'defense.methods', message: re`defense\.methods must be a list of strings such as ${JSON.stringify(D.defense.methods)}, not "lora"` },
  { name: 'unknown method id', text: withDefense({ methods: ['lora', 'bogus'] }), field: 'defense.methods', message: /defense\.methods has unknown "bogus"; known: lora, w2sdefense/ },
  { name: 'a number for a trigger an attack ignores', text: withAttack({ kind: 'syntactic', trigger: 5 }), field: 'attack.trigger', message: re`attack\.trigger must be a string such as ${q(D.attack.trigger)}, not 5` },
  { name: 'a missing setting', text: withAttack({ kind: 'syntactic', trigger: undefined }), field: 'attack.trigger', message: re`attack\.trigger is missing; add it, e\.g\. ${q(D.attack.trigger)}` },
  { name: 'a missing group', text: json({ ...DEFAULT_CONFIG, defense: undefined }), field: 'defense', message: /defense is missing/ },
  { name: '1e999 (JSON.parse reads Infinity)', text: configJson(DEFAULT_CONFIG).replace(`"seed": ${D.seed}`, '"seed": 1e999'), field: 'seed', message: re`seed is not a finite number \(a literal such as 1e999 reads as Infinity\); write a finite number such as ${D.seed}` },
  { name: '-1e999 for a rate', text: json({ ...DEFAULT_CONFIG, pretrain: { ...DEFAULT_CONFIG.pretrain, lr: 'LR' } }).replace('"LR"', '-1e999'), field: 'pretrain.lr', message: /pretrain\.lr is not a finite number \(a literal such as 1e999 reads as -Infinity\)/ },
  { name: 'out of range', text: withData({ maxLength: 9999 }), field: 'data.maxLength', message: /data\.maxLength must be an integer in 4\.\.512/ },
  { name: 'target label past the dataset', text: withAttack({ targetLabel: 5 }), field: 'attack.targetLabel', message: /attack\.targetLabel is 5 but the dataset has 2 labels/ },
  { name: 'over the size limit', text: `{"seed": 42, "pad": "${'x'.repeat(MAX_CONFIG_FILE_CHARS)}"}`, message: /is 1\.0 MB, over the 1 MB a config file may be \(a config is a few KB\)/ },
];

/** A store and its actions, the worker never answering: enough to load a config file. */
function lab() {
  const store = createLabStore();
  const silent: WorkerPort = { onmessage: null, postMessage() {}, terminate() {} };
  const client = new LabClient(silent, (batch) => store.getState().applyEvents(batch, 0));
  return { store, actions: createLabActions(store, client, () => 0) };
}

describe('a bad config file: one message naming the file and the field; the current settings are kept', () => {
  it.each(FILE_ROWS)('$name', ({ name, text, message, field }) => {
    const fileName = `${name.replace(/\W+/g, '-')}.json`;
    const imported = parseConfigFile(fileName, text, () => 2);
    expect(imported.ok).toBe(false);
    if (imported.ok) return;
    expect(imported.message.startsWith(fileName)).toBe(true);
    expect(imported.message).toMatch(message);
    if (field) expect(imported.message).toContain(field);

    const { store, actions } = lab();
    store.getState().setField('seed', 7);
    const before = store.getState().config;
    actions.importConfig(fileName, text);
    expect(store.getState().config).toBe(before);
    expect(store.getState().error).toContain(imported.message);
  });
});

interface AcceptedFile {
  name: string;
  text: string;
  config: ExperimentConfig;
}

const withSource = setAll(DEFAULT_CONFIG, [['data.source', 'mine.csv']]);

const ACCEPTED_FILES: AcceptedFile[] = [
  // Windows editors start a file with a byte-order mark; it carries nothing and is dropped.
  { name: 'config with a BOM', text: `\uFEFF${configJson(DEFAULT_CONFIG)}`, config: DEFAULT_CONFIG },
  { name: 'results file with a BOM', text: `\uFEFF${json(results)}`, config: DEFAULT_CONFIG },
  // The label count of an upload the page lacks is unknown, so the target label is checked at Run, and
  // Run asks for the file by name (see the datasetSpecFor test above).
  { name: 'an uploaded dataset this page lacks', text: configJson(withSource), config: withSource },
];

describe('odd but legal config files are loaded', () => {
  it.each(ACCEPTED_FILES)('$name', ({ text, config }) => {
    expect(parseConfigFile('ok.json', text, (source) => knownLabelCount(source, null))).toEqual({ ok: true, config });
    expect(configIssues(config)).toEqual([]);
  });
});
