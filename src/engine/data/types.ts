/** One labelled example. `label` indexes `Dataset.labelNames`. */
export interface Example {
  text: string;
  label: number;
}

/** A labelled text-classification set, as every loader returns it. */
export interface Dataset {
  /** Human-readable name, e.g. `sst2` or the uploaded file's name. */
  name: string;
  /** Label names; `labelNames[i]` names label `i`. At least two. */
  labelNames: string[];
  train: Example[];
  dev: Example[];
  test: Example[];
}

export type SplitName = 'train' | 'dev' | 'test';
