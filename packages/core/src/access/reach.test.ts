import { describe, expect, it } from 'vitest';
import { reachOf, reaches } from './reach.js';

describe('reach', () => {
  it('gives system grants every record', () => {
    const reach = reachOf([{ context: 'patient' }, { context: 'system' }], 'p1');
    expect(reach).toEqual({ kind: 'all' });
    expect(reaches(reach, 'anyone')).toBe(true);
  });

  it('gives patient grants only the compartment of the token\'s patient', () => {
    const reach = reachOf([{ context: 'patient' }], 'p1');
    expect(reaches(reach, 'p1')).toBe(true);
    expect(reaches(reach, 'p2')).toBe(false);
  });

  it('gives nothing to patient grants without a patient claim, or to user grants', () => {
    expect(reachOf([{ context: 'patient' }], undefined)).toEqual({ kind: 'none' });
    expect(reachOf([{ context: 'user' }], 'p1')).toEqual({ kind: 'none' });
    expect(reaches({ kind: 'none' }, 'p1')).toBe(false);
  });
});
