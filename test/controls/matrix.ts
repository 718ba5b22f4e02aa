/**
 * The control traceability matrix (`docs/controls.yaml`): its shape, and loading it together
 * with the seed documents it traces. The seeds live outside the repository (`../shared/seeds`,
 * as the README says); SEEDS_DIR points elsewhere when needed.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MATRIX_FILE = 'docs/controls.yaml';
export const RENDERED_FILE = 'docs/controls.md';
export const SEEDS_DIR = process.env.SEEDS_DIR ?? resolve(ROOT, '../shared/seeds');

export const STATUSES = ['implemented', 'planned', 'not-applicable'] as const;
export type Status = (typeof STATUSES)[number];

/** How the controls of a seed are found in its text; see seed-units.ts. */
export type UnitRule = 'requirement-table' | 'bullets' | 'statements' | 'body-paragraphs' | 'rule-and-musts';

export interface Seed {
  file: string;
  title: string;
  units: UnitRule;
}

export interface Control {
  id: string;
  seed: string;
  /** Where in the seed, for a reader: section or table row and item. */
  clause: string;
  /** 1-based line of the seed holding `quote`. */
  line: number;
  /** Verbatim words of the seed naming the control. */
  quote: string;
  /** The control in a sentence, as this codebase reads it. */
  control: string;
  status: Status;
  files?: string[];
  /** `path/to/file.test.ts > describe name > test name`. */
  tests?: string[];
  /** Keys of `issues` this row waits for (planned rows). */
  waitsFor?: string[];
  /** Why the control does not apply (not-applicable rows). */
  reason?: string;
  /** What a reader should know beyond the evidence, e.g. which part lands later. */
  note?: string;
  /** For Azure or generic controls: the AWS service or feature built instead. */
  awsEquivalent?: string;
}

export interface Matrix {
  issues: Record<string, string>;
  seeds: Seed[];
  controls: Control[];
}

export function loadMatrix(text = readFileSync(join(ROOT, MATRIX_FILE), 'utf8')): Matrix {
  return parse(text) as Matrix;
}

export function readSeed(file: string): string {
  return readFileSync(join(SEEDS_DIR, file), 'utf8');
}
