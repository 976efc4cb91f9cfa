/**
 * `checkData`: the checks of `makeData` run again over buffers that may have changed since (they are
 * the caller's memory), children included; dictionary rows no one can read (under a null struct or
 * fixed-size list row, where builders leave placeholder index 0) may address anything, any other
 * row must address the dictionary.
 */
import * as A from '@vego/arrow';

describe('checkData', () => {
  it('passes what makeData and the builders make, and refuses the same data changed afterwards', () => {
    const s = A.utf8FromStrings(['a', null, 'ccc', 'dd']);
    expect(() => A.checkData(s.data)).not.toThrow();
    s.data.valueOffsets![2] = 0;
    expect(() => A.checkData(s.data)).toThrow(/decrease at index 2/);

    const n = A.vectorFrom(new A.Int32(), [1, null, 3, null, 5]);
    expect(n.data.nullCount).toBe(2);
    n.data.validity![0] = 0b11111;
    expect(() => A.checkData(n.data)).toThrow(/holds 0 nulls, but 2 were counted/);
    expect(() => A.checkData({} as A.ArrayData)).toThrow(A.InvalidArgumentError);
  });

  it('lets placeholder dictionary rows under null struct and fixed-size list rows address nothing, and no other row', () => {
    const dictType = new A.Dictionary(new A.Utf8(), new A.Uint8());
    const structType = new A.Struct([new A.Field('d', dictType), new A.Field('n', new A.Int32())]);
    const b = A.makeBuilder(structType) as unknown as { append(v: unknown): unknown; finish(): A.Vector };
    for (let i = 0; i < 6; i++) b.append(i === 3 ? { d: 'x', n: 7 } : null);
    const struct = b.finish();
    expect(() => A.checkData(struct.data)).not.toThrow();
    // Index 5 at a readable row (row 3, the only valid struct) is refused; at a null row it is not.
    const indices = struct.data.children[0]!.values as Uint8Array;
    indices[0] = 5;
    expect(() => A.checkData(struct.data)).not.toThrow();
    indices[3] = 5;
    expect(() => A.checkData(struct.data)).toThrow(/index 5 at 3 is outside the 1-value dictionary/);

    const fslType = new A.FixedSizeList(new A.Field('item', dictType), 2);
    const f = A.makeBuilder(fslType) as unknown as { append(v: unknown): unknown; finish(): A.Vector };
    f.append(null);
    f.append(['a', 'b']);
    f.append(null);
    const fsl = f.finish();
    expect(() => A.checkData(fsl.data)).not.toThrow();
    const fi = fsl.data.children[0]!.values as Uint8Array;
    fi[0] = 9; // row 0 is null: unreadable
    expect(() => A.checkData(fsl.data)).not.toThrow();
    fi[3] = 9; // row 1, second item: readable
    expect(() => A.checkData(fsl.data)).toThrow(/index 9 at 3/);
  });
});
