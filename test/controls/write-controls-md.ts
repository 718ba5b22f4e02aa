/** `npm run controls`: renders docs/controls.md from docs/controls.yaml. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMatrix, RENDERED_FILE, ROOT } from './matrix.js';
import { renderControls } from './render.js';

const matrix = loadMatrix();
writeFileSync(join(ROOT, RENDERED_FILE), renderControls(matrix));
const planned = matrix.controls.filter((row) => row.status === 'planned').length;
console.log(`${RENDERED_FILE}: ${matrix.controls.length} controls, ${planned} planned`);
