/**
 * Every defense the lab runs, described: the one list the config, the UI (method list, colours,
 * legends, help), the CLI, the science bench and the e2e tests read. Each entry's procedure lives in
 * `defenses/<id>.ts`, and `defenses/registry.ts` maps every id here to it — a procedure missing there
 * is a compile error.
 *
 * Why descriptions and procedures are two places: the page's main thread reads this list (labels,
 * colours, help) and must not load tfjs, which the procedures need. This module imports nothing.
 */

/** `repair` changes the poisoned model's weights; `filter` screens inputs in front of the unchanged model. */
export type DefenseKind = 'repair' | 'filter';

/** Which teacher a defense learns from, if any. */
type TeacherUse = 'none' | 'weak' | 'strong';

export interface DefenseInfo {
  /** Table rows, legends and the method list. */
  label: string;
  kind: DefenseKind;
  /** What the defense trains or runs, for the help text. */
  trains: string;
  /** Its loss or procedure, in one line. */
  procedure: string;
  /** `weak`: the lab's small clean teacher; `strong`: a clean copy of the student itself. */
  teacher: TeacherUse;
  /** Where the method comes from. */
  reference: string;
  /** Okabe–Ito colour, then Paul Tol's muted set past its eight (both safe for the common colour-vision deficiencies). */
  color: string;
  /** SVG dash pattern for reference lines, so the story does not rest on colour alone. */
  dash?: string;
  /** Trainings a repair runs when more than one (NAD fine-tunes its own teacher first, unless the run has the repair it builds on): the scheduler starts it first. */
  trainings?: number;
  /**
   * A repair whose model this one starts from when the run has it, instead of training that model again
   * (NAD's strong teacher is the poisoned student fine-tuned on the clean data with a fresh LoRA adapter:
   * the `lora` repair's recipe). Then it trains once, and runs after that repair on the same engine. An id
   * of this list (`catalog.test.ts`; the list's own type cannot name its keys here).
   */
  buildsOn?: string;
}

export const DEFENSES = {
  lora: {
    label: 'LoRA fine-tune (baseline)',
    kind: 'repair',
    trains: 'a fresh LoRA adapter, the head and the final LayerNorm',
    procedure: 'cross-entropy on the defender’s clean data',
    teacher: 'none',
    reference: 'Hu et al. 2022 (LoRA); the plain-fine-tuning baseline of Zhao et al. 2025',
    color: '#E69F00',
  },
  w2sdefense: {
    label: 'W2SDefense',
    kind: 'repair',
    trains: 'a fresh LoRA adapter, the head and the final LayerNorm',
    procedure: 'a·CE + b·KD(teacher logits, T) + c·FA(teacher feature vs the student’s token states at every block; the paper’s final states alone with FA depth “final”)',
    teacher: 'weak',
    reference: 'Zhao et al., ACL Findings 2025 (W2SDefense)',
    color: '#0072B2',
  },
  'kd-only': {
    label: 'KD only',
    kind: 'repair',
    trains: 'a fresh LoRA adapter, the head and the final LayerNorm',
    procedure: 'a·CE + b·KD (W2SDefense without feature alignment)',
    teacher: 'weak',
    reference: 'Zhao et al. 2025, ablation “w/o FA”',
    color: '#56B4E9',
  },
  'fa-only': {
    label: 'FA only',
    kind: 'repair',
    trains: 'a fresh LoRA adapter, the head and the final LayerNorm',
    procedure: 'a·CE + c·FA (W2SDefense without distillation of logits)',
    teacher: 'weak',
    reference: 'Zhao et al. 2025, ablation “w/o KD”',
    color: '#CC79A7',
  },
  'full-ft': {
    label: 'Full fine-tune',
    kind: 'repair',
    trains: 'every weight of the student',
    procedure: 'cross-entropy on the defender’s clean data',
    teacher: 'none',
    reference: 'the full-fine-tuning reference of Zhao et al. 2025',
    color: '#000000',
    dash: '2 3',
  },
  'fine-pruning': {
    label: 'Fine-pruning',
    kind: 'repair',
    trains: 'prunes the last block’s least-active FFN neurons, then a fresh LoRA adapter, the head and the final LayerNorm',
    procedure: 'prune neurons least active on clean data while dev accuracy holds, then cross-entropy',
    teacher: 'none',
    reference: 'Liu et al., RAID 2018 (Fine-Pruning)',
    color: '#8C6D31',
  },
  nad: {
    label: 'NAD',
    kind: 'repair',
    trains: 'a clean copy of the student (the teacher: the LoRA baseline’s model when the run has it), then a fresh LoRA adapter, the head and the final LayerNorm',
    procedure: 'CE + β·Σ_layers ‖A_student − A_teacher‖₂ over normalised attention maps',
    teacher: 'strong',
    reference: 'Li et al., ICLR 2021 (Neural Attention Distillation)',
    color: '#882255',
    trainings: 2,
    buildsOn: 'lora',
  },
  onion: {
    label: 'ONION',
    kind: 'filter',
    trains: 'nothing: screens each input with the clean pretrained masked LM',
    procedure: 'drop words whose removal lowers the pseudo-perplexity by more than a threshold',
    teacher: 'none',
    reference: 'Qi et al., EMNLP 2021 (ONION)',
    color: '#44AA99',
    dash: '8 3',
  },
  strip: {
    label: 'STRIP',
    kind: 'filter',
    trains: 'nothing: perturbs each input and reads the poisoned model’s predictions',
    procedure: 'reject inputs whose predictions stay confident (low entropy) under word replacement',
    teacher: 'none',
    reference: 'Gao et al., ACSAC 2019 (STRIP); text variant, Gao et al. 2021',
    color: '#999933',
    dash: '8 3',
  },
} as const satisfies Record<string, DefenseInfo>;

export type DefenseId = keyof typeof DEFENSES;

/** In the catalog's order: repairs (the paper's baseline, W2SDefense, ablations, classic repairs), then filters. */
export const DEFENSE_IDS = Object.keys(DEFENSES) as DefenseId[];

/** The repair of `methods` whose model `method` starts from (`buildsOn`), if the run has it. */
export function basisIn(method: DefenseId, methods: readonly DefenseId[]): DefenseId | undefined {
  const basis = (DEFENSES[method] as DefenseInfo).buildsOn as DefenseId | undefined;
  return basis !== undefined && methods.includes(basis) ? basis : undefined;
}
