/**
 * What makes the matrix trustworthy: every control a seed names has a row, every row says
 * where it stands (evidence, a planned issue or a reason), and every file and test it names
 * exists. Returns the problems found, one sentence each; an empty list is a sound matrix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Control, Matrix } from './matrix.js';
import { STATUSES } from './matrix.js';
import { seedUnits } from './seed-units.js';

const ID = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$/;
const TEST_FILE = /\.test\.ts$/;

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

/** True when `name` appears in `source` as a whole string literal, in any quote style. */
function hasStringLiteral(source: string, name: string): boolean {
  return ["'", '"', '`'].some((quote) => source.includes(`${quote}${name.replaceAll(quote, `\\${quote}`)}${quote}`));
}

/** A test reference is `file.test.ts > describe > test`; each name must be a literal in the file. */
export function testReferenceProblem(reference: unknown, root: string): string | undefined {
  if (typeof reference !== 'string') return `test reference ${JSON.stringify(reference)} is not a string`;
  const [file = '', ...names] = reference.split(' > ');
  if (!TEST_FILE.test(file)) return `test reference "${reference}" does not name a .test.ts file`;
  if (names.length === 0) return `test reference "${reference}" names no test`;
  const path = join(root, file);
  if (!existsSync(path)) return `test file ${file} does not exist`;
  const source = readFileSync(path, 'utf8');
  const missing = names.find((name) => !hasStringLiteral(source, name));
  return missing === undefined ? undefined : `test name "${missing}" not found in ${file}`;
}

function rowProblems(row: Control, matrix: Matrix, seedLines: ReadonlyMap<string, readonly string[]>, root: string): string[] {
  const problems: string[] = [];
  const where = row.id ?? '(row without id)';
  if (!ID.test(row.id ?? '')) problems.push(`${where}: id must look like HNZAS-AUTH`);
  for (const field of ['clause', 'quote', 'control'] as const) {
    if (typeof row[field] !== 'string' || row[field].trim() === '') problems.push(`${where}: ${field} is missing`);
  }
  const lines = seedLines.get(row.seed);
  if (!lines) {
    problems.push(`${where}: seed ${row.seed} is not one of the matrix's seeds`);
  } else if (!normalise(lines[row.line - 1] ?? '').includes(normalise(row.quote ?? ''))) {
    problems.push(`${where}: line ${row.line} of ${row.seed} does not contain the quote`);
  }

  for (const file of row.files ?? []) {
    if (typeof file !== 'string') problems.push(`${where}: file ${JSON.stringify(file)} is not a path`);
    else if (!existsSync(join(root, file))) problems.push(`${where}: file ${file} does not exist`);
  }
  for (const reference of row.tests ?? []) {
    const problem = testReferenceProblem(reference, root);
    if (problem) problems.push(`${where}: ${problem}`);
  }
  const hasEvidence = (row.files?.length ?? 0) > 0 && (row.tests?.length ?? 0) > 0;
  const hasReason = typeof row.reason === 'string' && row.reason.trim() !== '';
  switch (row.status) {
    case 'implemented':
      if (!hasEvidence) problems.push(`${where}: implemented rows name both files and tests`);
      if (row.waitsFor) problems.push(`${where}: implemented rows wait for nothing`);
      break;
    case 'planned':
      if (!row.waitsFor?.length) problems.push(`${where}: planned rows name the issue they wait for`);
      for (const key of row.waitsFor ?? []) {
        if (!(key in matrix.issues)) problems.push(`${where}: waits for unknown issue "${key}"`);
      }
      break;
    case 'not-applicable':
      if (!hasReason) problems.push(`${where}: not-applicable rows give a reason`);
      if (row.waitsFor) problems.push(`${where}: not-applicable rows wait for nothing`);
      break;
    default:
      problems.push(`${where}: status must be one of ${STATUSES.join(', ')}`);
  }
  return problems;
}

export function matrixProblems(matrix: Matrix, seedTexts: ReadonlyMap<string, string>, root: string): string[] {
  const problems: string[] = [];
  const seedLines = new Map([...seedTexts].map(([file, text]) => [file, text.split(/\r?\n/)] as const));

  const seen = new Set<string>();
  for (const row of matrix.controls) {
    if (seen.has(row.id)) problems.push(`${row.id}: id used twice`);
    seen.add(row.id);
    problems.push(...rowProblems(row, matrix, seedLines, root));
  }

  for (const seed of matrix.seeds) {
    const text = seedTexts.get(seed.file);
    if (text === undefined) {
      problems.push(`seed ${seed.file} could not be read`);
      continue;
    }
    const units = seedUnits(seed.units, text);
    if (units.length === 0) problems.push(`seed ${seed.file}: rule ${seed.units} finds no controls`);
    const mapped = new Set(matrix.controls.filter((row) => row.seed === seed.file).map((row) => row.line));
    for (const unit of units) {
      if (!mapped.has(unit.line)) problems.push(`seed ${seed.file} line ${unit.line} has no row: "${unit.text.slice(0, 80)}"`);
    }
  }
  return problems;
}
