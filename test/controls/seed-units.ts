/**
 * Finds the controls a seed document names, by the structure of that document, so the matrix
 * test can tell when one has no row. Each rule returns the 1-based lines that hold a control.
 */
import type { UnitRule } from './matrix.js';

export interface SeedUnit {
  line: number;
  text: string;
}

type Extract = (lines: readonly string[]) => SeedUnit[];

const numbered = (lines: readonly string[]) => lines.map((text, index) => ({ line: index + 1, text: text.trim() }));

/** Rows of a markdown requirements table, header and separator rows excluded. */
const requirementTable: Extract = (lines) => numbered(lines)
  .filter(({ text }) => text.startsWith('|'))
  .map(({ line, text }) => ({ line, text: text.split('|')[1]?.trim() ?? '' }))
  .filter(({ text }) => text !== '' && text !== 'Requirement' && !/^:?-+:?$/.test(text));

/** Markdown bullets. */
const bullets: Extract = (lines) => numbered(lines)
  .filter(({ text }) => text.startsWith('- '))
  .map(({ line, text }) => ({ line, text: text.slice(2) }));

/** Lines that are sentences; section headings carry no full stop. */
const statements: Extract = (lines) => numbered(lines).filter(({ text }) => text.endsWith('.'));

/** Prose paragraphs between the introduction and the conclusion; titles are short lines. */
const bodyParagraphs: Extract = (lines) => numbered(lines)
  .filter(({ text }) => text.length > 80)
  .slice(1)
  .filter(({ text }) => !text.startsWith('In conclusion'));

/** A compliance rule: its `Rule |` row and every sentence saying what must be done. */
const ruleAndMusts: Extract = (lines) => numbered(lines)
  .filter(({ text }) => text.startsWith('Rule |') || /\b(must|need to ensure|ensure that)\b/i.test(text));

const rules: Record<UnitRule, Extract> = {
  'requirement-table': requirementTable,
  bullets,
  statements,
  'body-paragraphs': bodyParagraphs,
  'rule-and-musts': ruleAndMusts,
};

export function seedUnits(rule: UnitRule, text: string): SeedUnit[] {
  return rules[rule](text.split(/\r?\n/));
}
