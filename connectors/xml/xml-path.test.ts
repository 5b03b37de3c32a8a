import { describe, expect, it } from 'vitest';
import type { XmlNode } from './safe-xml.ts';
import { compileXmlPath, selectAll, selectText, textOf } from './xml-path.ts';

// The shape parseXmlSafely gives for two IDocs, the first with two deadline segments.
const doc: XmlNode = {
  SHPMNT05: {
    IDOC: [
      {
        $: { BEGIN: '1' },
        E1EDT20: {
          $: { SEGMENT: '1' },
          TKNUM: '0010000001',
          E1EDT10: [
            { $: { SEGMENT: '1' }, QUALF: '006', DATUM: '20261030' },
            { $: { SEGMENT: '1' }, QUALF: '007', DATUM: '20261101' },
          ],
          E1EDL20: { VBELN: '0080000001', E1EDL24: [{ VGBEL: 'O0000001' }, { VGBEL: 'O0000001' }] },
        },
      },
      { $: { BEGIN: '1' }, E1EDT20: { TKNUM: '0010000002', E1EDT10: { QUALF: '006', DATUM: '20261029' } } },
    ],
  },
};

describe('xml paths', () => {
  it('follows repeated elements at every step, in document order', () => {
    expect(selectAll(doc, compileXmlPath('SHPMNT05.IDOC.E1EDT20.TKNUM'))).toEqual(['0010000001', '0010000002']);
    expect(selectAll(doc, compileXmlPath('SHPMNT05.IDOC.E1EDT20'))).toHaveLength(2);
  });

  it('filters by a child text or an attribute, and reads attributes as the last step', () => {
    const records = selectAll(doc, compileXmlPath('SHPMNT05.IDOC.E1EDT20'));
    expect(selectText(records[0], compileXmlPath('E1EDT10[QUALF=007].DATUM'))).toBe('20261101');
    expect(selectText(records[1], compileXmlPath('E1EDT10[QUALF=007].DATUM'))).toBeUndefined();
    expect(selectText(records[0], compileXmlPath('E1EDT10[QUALF="006"].DATUM'))).toBe('20261030');
    expect(selectAll(doc, compileXmlPath('SHPMNT05.IDOC[@BEGIN=1].E1EDT20.TKNUM'))).toHaveLength(2);
    expect(selectText(records[0], compileXmlPath('@SEGMENT'))).toBe('1');
    expect(selectText(records[0], compileXmlPath('E1EDL20.E1EDL24.VGBEL'))).toBe('O0000001');
  });

  it('gives no text for structure, "" for attribute-only elements, and never reads inherited properties', () => {
    expect(textOf({ E1EDL24: 'x' })).toBeUndefined();
    expect(textOf({ $: { a: '1' } })).toBe('');
    expect(textOf({ _: 'v', $: { a: '1' } })).toBe('v');
    expect(selectAll({ r: {} }, compileXmlPath('r.constructor'))).toEqual([]);
    expect(selectAll({ r: {} }, compileXmlPath('r.toString'))).toEqual([]);
  });

  it('refuses bad paths with a reason', () => {
    expect(() => compileXmlPath('')).toThrow('must be a non-empty path like "E1EDT20.TKNUM"');
    expect(() => compileXmlPath('A..B')).toThrow('has an invalid step ""');
    expect(() => compileXmlPath('A[B=1')).toThrow('has an invalid step "A[B=1"');
    expect(() => compileXmlPath('@A.B')).toThrow('uses the attribute step "@A" before the last step');
    expect(compileXmlPath('E1EDK03[IDDAT=1.5].DATUM').steps).toHaveLength(2);
  });
});
