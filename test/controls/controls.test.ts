import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrixProblems } from './check.js';
import type { Control, Matrix } from './matrix.js';
import { loadMatrix, readSeed, RENDERED_FILE, ROOT, SEEDS_DIR } from './matrix.js';
import { anchor, renderControls } from './render.js';
import { seedUnits } from './seed-units.js';

const matrix = loadMatrix();
const seedTexts = new Map(matrix.seeds.filter((seed) => existsSync(join(SEEDS_DIR, seed.file))).map((seed) => [seed.file, readSeed(seed.file)]));
const hnzas = '000_29e428023e9a07e6.txt';

const row = (rows: Control[], id: string) => rows.find((r) => r.id === id) as Control;

describe('traceability matrix', () => {
  it('maps every control the seeds name, with no dangling reference', () => {
    expect([...seedTexts.keys()], `seeds not found in ${SEEDS_DIR}`).toEqual(matrix.seeds.map((seed) => seed.file));
    expect(matrixProblems(matrix, seedTexts, ROOT)).toEqual([]);
    const planned = matrix.controls.filter((r) => r.status === 'planned').length;
    console.log(`controls: ${matrix.controls.length} rows, ${planned} planned`);
  });

  it('docs/controls.md is the rendering of docs/controls.yaml', () => {
    expect(readFileSync(join(ROOT, RENDERED_FILE), 'utf8'), 'run `npm run controls`').toBe(renderControls(matrix));
  });
});

// Broken copies of the matrix, each with the problems the checker must report.
const broken: Array<{ name: string; change: (rows: Control[]) => Control[]; problems: string[] }> = [
  {
    name: 'a seed control that has no row',
    change: (rows) => rows.filter((r) => r.id !== 'HNZAS-THROTTLE'),
    problems: [`seed ${hnzas} line 36 has no row: "Throttle API requests and establish quotas"`],
  },
  {
    name: 'a mapped file or test name that does not exist',
    change: (rows) => {
      row(rows, 'HNZAS-AUTH').files?.push('packages/middleware/src/gone.ts');
      row(rows, 'HNZAS-AUTH').tests?.push('packages/middleware/src/secure-handler.test.ts > attack table > no such attack');
      row(rows, 'HNZAS-VALIDATE').tests = ['packages/middleware/src/gone.test.ts > anything'];
      return rows;
    },
    problems: [
      'HNZAS-AUTH: file packages/middleware/src/gone.ts does not exist',
      'HNZAS-AUTH: test name "no such attack" not found in packages/middleware/src/secure-handler.test.ts',
      'HNZAS-VALIDATE: test file packages/middleware/src/gone.test.ts does not exist',
    ],
  },
  {
    name: 'a row with neither evidence, nor a reason, nor a planned issue',
    change: (rows) => {
      Object.assign(row(rows, 'HNZAS-ZERO-TRUST'), { status: 'implemented', tests: [] });
      Object.assign(row(rows, 'AWS-WAF'), { status: 'planned', waitsFor: [] });
      Object.assign(row(rows, 'AWS-VPC-SG'), { status: 'not-applicable', reason: ' ' });
      return rows;
    },
    problems: [
      'HNZAS-ZERO-TRUST: implemented rows name both files and tests',
      'AWS-WAF: planned rows name the issue they wait for',
      'AWS-VPC-SG: not-applicable rows give a reason',
    ],
  },
  {
    name: 'a quote that is not on its line of the seed, and a duplicate id',
    change: (rows) => {
      row(rows, 'HNZAS-AUTH').line = 35;
      return [...rows, row(rows, 'GXP-CACHE-ENC')];
    },
    problems: [
      `HNZAS-AUTH: line 35 of ${hnzas} does not contain the quote`,
      'GXP-CACHE-ENC: id used twice',
      `seed ${hnzas} line 34 has no row: "Require robust authentication and authorisation"`,
    ],
  },
];

describe('matrix checker', () => {
  // Problems of the committed matrix are the first test's; each case adds exactly its own.
  const existing = new Set(matrixProblems(matrix, seedTexts, ROOT));
  it.each(broken)('reports $name', ({ change, problems }) => {
    const variant: Matrix = { ...matrix, controls: change(structuredClone(matrix.controls)) };
    expect(matrixProblems(variant, seedTexts, ROOT).filter((problem) => !existing.has(problem))).toEqual(problems);
  });
});

describe('seed units', () => {
  it('finds the controls of each seed by its structure', () => {
    const counts = matrix.seeds.map((seed) => seedUnits(seed.units, seedTexts.get(seed.file) ?? '').length);
    // 8 HNZAS requirement rows, 64 AWS bullets, 20 Azure statements, 6 zero-trust paragraphs, 4 GxP rule lines.
    expect(counts).toEqual([8, 64, 20, 6, 4]);
  });
});

describe('threat model', () => {
  const threatModel = readFileSync(join(ROOT, 'docs/threat-model.md'), 'utf8');
  const anchors = new Set(matrix.controls.map((r) => anchor(r.id)));

  it('links every threat to controls of the matrix', () => {
    const links = [...threatModel.matchAll(/controls\.md#([\w-]+)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !anchors.has(link))).toEqual([]);
    const strideRows = threatModel.split('\n').filter((line) => /^\| [STRIDE] \|/.test(line));
    expect(strideRows.length).toBeGreaterThanOrEqual(6);
    expect(strideRows.filter((line) => !line.includes('controls.md#'))).toEqual([]);
  });
});
