/** CSV loading: task detection, one-hot targets, scaling, and row/column-precise errors. */
import { describe, expect, it } from 'vitest';
import { formatCsvError, parseCsv, splitCsv } from '../../src/ui/lab/csv.js';

describe('splitCsv', () => {
  it('handles quotes, escaped quotes, CRLF and other separators', () => {
    expect(splitCsv('a,"b,c","say ""hi"""\r\n1,2,3\n')).toEqual([['a', 'b,c', 'say "hi"'], ['1', '2', '3']]);
    expect(splitCsv('a;b\n1;2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(splitCsv('a\tb\n1\t2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(splitCsv('a,b,\n\n"x"y,"",\r\n')).toEqual([['a', 'b', ''], [''], ['xy', '', '']]);
    expect(splitCsv('a,b,')).toEqual([['a', 'b', '']]);
  });
});

describe('parseCsv', () => {
  it('reports a quote that is never closed at the row and column where it opened, not as a giant label', () => {
    const r = parseCsv('x1,x2,label\n1,2,"a\n3,4,b\n5,6,a\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatCsvError)).toEqual(['row 2, column 3: the quote opened on row 2 is never closed (a quoted cell ends with a second ")']);
    const late = parseCsv('a,b\r\n1,"x\r\ny"\r\n2,"z""\r\n3,w\r\n');
    expect(late.ok ? [] : late.errors.map(formatCsvError)).toEqual(['row 4, column 2: the quote opened on row 4 is never closed (a quoted cell ends with a second ")']);
  });

  it('counts file lines across quoted line breaks and reports scanning progress', () => {
    const r = parseCsv('x,"multi\nline name",label\n1,2,a\n1,oops,b\n');
    expect(r.ok ? [] : r.errors).toEqual([{ row: 4, column: 2, message: 'multi\nline name: "oops" is not a number' }]);
    const big = ['x,y,label', ...Array.from({ length: 300_000 }, (_, i) => `${i},${i % 7},${i % 2 ? 'a' : 'b'}`)].join('\n');
    const seen: number[] = [];
    const ok = parseCsv(big, {}, (f) => seen.push(f));
    expect(ok.ok && ok.info.rows).toBe(300_000);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((f, i) => f > 0 && f < 1 && (i === 0 || f > seen[i - 1]!))).toBe(true);
  });

  it('loads a binary set with a header, scaling features into [-1, 1]', () => {
    const r = parseCsv('x,y,label\n0,10,no\n5,20,yes\n10,30,no\n');
    if (!r.ok) throw new Error(r.errors.map(formatCsvError).join('\n'));
    expect(r.dataset.task).toBe('binary');
    expect(r.dataset.classes).toEqual(['no', 'yes']);
    expect(Array.from(r.dataset.x)).toEqual([-1, -1, 0, 0, 1, 1]);
    expect(Array.from(r.dataset.y)).toEqual([0, 1, 0]);
    expect(r.info.ranges).toEqual([[0, 10], [10, 30]]);
  });

  it('one-hot encodes several classes in numeric order and picks the label column by name', () => {
    const r = parseCsv('c,a\n2,0.5\n0,1\n10,2\n0,3', { label: 'c' });
    if (!r.ok) throw new Error('not ok');
    expect(r.dataset.task).toBe('multiclass');
    expect(r.dataset.classes).toEqual(['0', '2', '10']);
    expect(r.dataset.outputDim).toBe(3);
    expect(Array.from(r.dataset.y)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0]);
    expect(r.info.features).toEqual(['a']);
  });

  it('treats non-integer numeric labels as regression and works without a header', () => {
    const r = parseCsv('1,2,0.5\n2,3,1.25\n3,4,-2\n');
    if (!r.ok) throw new Error('not ok');
    expect(r.dataset.task).toBe('regression');
    expect(Array.from(r.dataset.y)).toEqual([0.5, 1.25, -2]);
    expect(r.info.features).toEqual(['x1', 'x2']);
  });

  it('names the row and column of every problem, counting file lines from 1 and skipping blank lines', () => {
    const r = parseCsv('x,y,label\n1,2,a\n\n1,oops,b\n1,2\n3,4,\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { row: 4, column: 2, message: 'y: "oops" is not a number' },
      { row: 5, column: null, message: 'has 2 columns; expected 3' },
      { row: 6, column: 3, message: 'label: the label is empty' },
    ]);
    expect(formatCsvError(r.errors[0]!)).toBe('row 4, column 2: y: "oops" is not a number');
  });

  it('rejects empty files, single columns, a missing label column and a single class', () => {
    const err = (t: string, o = {}) => {
      const r = parseCsv(t, o);
      return r.ok ? '' : formatCsvError(r.errors[0]!);
    };
    expect(err('')).toBe('row 1: the file is empty');
    expect(err('a\n1\n')).toMatch(/at least 2 columns/);
    expect(err('a,b\n1,2', { label: 'z' })).toMatch(/label column "z" not found/);
    expect(err('a,b\n1,x\n2,x')).toBe('row 2, column 2: b: only one class (x); need at least 2');
    expect(err('a,b\n')).toBe('row 2: no data rows after the header');
  });
});
