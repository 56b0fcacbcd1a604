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
  /** What a loader noticed and the user should read (labels mapped from names, a tiny file, texts cut). */
  notices?: string[];
  /** What was actually read, for `results.json` (see `DataRecord`). */
  origin?: DatasetOrigin;
}

/** Where a dataset came from: a location a person can find again, and the files with their hashes. */
export interface DatasetOrigin {
  /** e.g. `bundled spam corpus`, `/home/me/sst2`, `https://huggingface.co/datasets/SetFit/sst2`, `reviews.csv (upload)`. */
  source: string;
  files?: { path: string; bytes: number; sha256: string }[];
}

export type SplitName = 'train' | 'dev' | 'test';
