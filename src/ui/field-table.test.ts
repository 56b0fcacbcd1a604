import { describe, expect, it } from 'vitest';
import { CONFIG_PATHS, leafKind } from '../store/config-paths';
import { ALL_FIELDS, FIELD_GROUPS } from './field-table';

describe('the Setup form table', () => {
  it('has exactly one control for every config field', () => {
    const paths = ALL_FIELDS.map((f) => f.path);
    expect([...paths].sort()).toEqual([...CONFIG_PATHS].sort());
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('groups as the design says, each field with a label and a one-line explanation', () => {
    expect(FIELD_GROUPS.map((g) => g.name)).toEqual(['Data', 'Attack', 'Models', 'Defenses']);
    for (const f of ALL_FIELDS) {
      expect(f.label.length, f.path).toBeGreaterThan(0);
      expect(f.help.length, f.path).toBeGreaterThan(10);
      expect(f.help.includes('\n'), f.path).toBe(false);
    }
  });

  it('uses a control that fits each field’s type', () => {
    const fits = { number: ['number', 'class'], string: ['text', 'select', 'custom'], boolean: ['bool'], list: ['multi'] };
    for (const f of ALL_FIELDS) expect(fits[leafKind(f.path)!], f.path).toContain(f.control.kind);
  });

  it('chooses the target label from the dataset’s classes, not as a bare number', () => {
    expect(ALL_FIELDS.find((f) => f.path === 'attack.targetLabel')?.control).toEqual({ kind: 'class' });
  });
});
