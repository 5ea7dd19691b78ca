/**
 * Your own data: a CSV text (features + one label column) turned into a Dataset. Classification when the
 * labels are text or few distinct integers (binary → one sigmoid output, more classes → softmax with one-hot
 * targets), regression otherwise. Features are scaled into [-1, 1] per column. Every problem names its row
 * and column (both counted from 1, as a spreadsheet shows them).
 */
import type { Dataset, Task } from '../../core/datasets.js';
import { LIMITS } from '../../core/spec.js';

/** One problem of a CSV file, with its place. */
export interface CsvError {
  /** Line of the file, from 1 (the header is line 1 when there is one). */
  readonly row: number;
  /** Column from 1, or null when the problem concerns the whole row. */
  readonly column: number | null;
  readonly message: string;
}

/** Options of CSV loading. */
export interface CsvOptions {
  /** The label column: a header name or a 1-based index; default the last column. */
  readonly label?: string | number;
  /** Integer labels with at most this many distinct values make a classification task (default 20). */
  readonly maxClasses?: number;
  /** Most errors reported (default 10). */
  readonly maxErrors?: number;
}

/** What was loaded, for the page to describe. */
export interface CsvInfo {
  readonly features: readonly string[];
  readonly labelName: string;
  readonly task: Task;
  readonly rows: number;
  /** Per feature: the min and max the scaling mapped to -1 and 1. */
  readonly ranges: readonly (readonly [number, number])[];
}

/** A loaded data set, or the list of problems. */
export type CsvResult =
  | { readonly ok: true; readonly dataset: Dataset; readonly info: CsvInfo }
  | { readonly ok: false; readonly errors: readonly CsvError[] };

const LF = 10;
const CR = 13;

/** Characters scanned between two progress reports. */
const PROGRESS_EVERY_CHARS = 1 << 20;

/** A CSV text split into rows: each row's cells and the file line it starts on, or where an unclosed quote opened. */
export interface CsvScan {
  readonly rows: string[][];
  /** File line (from 1) each row starts on (a quoted cell may hold line breaks). */
  readonly lines: number[];
  /** Line and column (from 1) of a quote that is never closed, or null. */
  readonly unclosed: { readonly row: number; readonly column: number } | null;
}

/**
 * Split CSV text into rows of cells (RFC 4180 quotes; comma, semicolon or tab separated, guessed from the first
 * line). `progress` hears the fraction of the text scanned, every PROGRESS_EVERY_CHARS characters.
 */
export function scanCsv(text: string, progress?: (fraction: number) => void): CsvScan {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const sep = [',', ';', '\t'].reduce((best, s) => (firstLine.split(s).length > firstLine.split(best).length ? s : best), ',');
  const sepCode = sep.charCodeAt(0);
  const rows: string[][] = [];
  const lines: number[] = [];
  const n = text.length;
  let row: string[] = [];
  let line = 1;
  let nextReport = PROGRESS_EVERY_CHARS;
  let i = 0;
  while (i < n) {
    if (progress && i >= nextReport) {
      progress(i / n);
      nextReport = i + PROGRESS_EVERY_CHARS;
    }
    if (row.length === 0) lines.push(line);
    let cell = '';
    if (text[i] === '"') {
      const openLine = line;
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          return { rows, lines, unclosed: { row: openLine, column: row.length + 1 } };
        }
        cell += text.slice(j, q);
        if (text[q + 1] === '"') {
          cell += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      line += countBreaks(text, i, j);
      i = j;
    }
    // Unquoted text (or what follows a closing quote) up to the separator or the end of the line.
    let j = i;
    for (let ch = text.charCodeAt(j); j < n && ch !== sepCode && ch !== LF && ch !== CR; ch = text.charCodeAt(++j));
    cell += text.slice(i, j);
    row.push(cell);
    if (j >= n) {
      rows.push(row);
      row = [];
      i = j;
    } else if (text[j] === sep) {
      i = j + 1;
      if (i >= n) {
        row.push('');
        rows.push(row);
        row = [];
      }
    } else {
      i = text[j] === '\r' && text[j + 1] === '\n' ? j + 2 : j + 1;
      line++;
      rows.push(row);
      row = [];
    }
  }
  return { rows, lines, unclosed: null };
}

/** Line breaks (LF, CR or CRLF) in text[from, to). */
function countBreaks(text: string, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) k++;
  }
  return k;
}

/** Split CSV text into rows of cells (see scanCsv; an unclosed quote ends the rows before it). */
export function splitCsv(text: string): string[][] {
  return scanCsv(text).rows;
}

function isNumber(s: string): boolean {
  const t = s.trim();
  return t !== '' && Number.isFinite(Number(t));
}

/**
 * Parse CSV text into a data set; the first row is a header when any of its cells is not a number. `progress`
 * hears the fraction of the text split into cells so far (the rest of the work is a fraction of that).
 */
export function parseCsv(text: string, opts: CsvOptions = {}, progress?: (fraction: number) => void): CsvResult {
  const maxErrors = opts.maxErrors ?? 10;
  const errors: CsvError[] = [];
  const fail = (e: CsvError) => errors.length < maxErrors && errors.push(e);
  const scan = scanCsv(text, progress);
  if (scan.unclosed) {
    const { row, column } = scan.unclosed;
    return { ok: false, errors: [{ row, column, message: `the quote opened on row ${row} is never closed (a quoted cell ends with a second ")` }] };
  }
  // Keep the file's line numbers while skipping blank lines.
  const lines = scan.rows.map((cells, i) => ({ cells, line: scan.lines[i]! })).filter((r) => !(r.cells.length === 1 && r.cells[0]!.trim() === ''));
  if (lines.length === 0) return { ok: false, errors: [{ row: 1, column: null, message: 'the file is empty' }] };
  const hasHeader = lines[0]!.cells.some((c) => !isNumber(c));
  const cols = lines[0]!.cells.length;
  const header = hasHeader ? lines[0]!.cells.map((c, i) => c.trim() || `column ${i + 1}`) : Array.from({ length: cols }, (_, i) => `x${i + 1}`);
  const body = hasHeader ? lines.slice(1) : lines;
  if (cols < 2) return { ok: false, errors: [{ row: lines[0]!.line, column: null, message: `need at least 2 columns (features and a label), found ${cols}` }] };
  if (body.length === 0) return { ok: false, errors: [{ row: lines[0]!.line + 1, column: null, message: 'no data rows after the header' }] };
  if (body.length > LIMITS.maxSamples) return { ok: false, errors: [{ row: body[LIMITS.maxSamples]!.line, column: null, message: `too many rows (at most ${LIMITS.maxSamples})` }] };

  let labelCol = cols - 1;
  if (opts.label !== undefined) {
    const idx = typeof opts.label === 'number' ? opts.label - 1 : header.indexOf(opts.label);
    if (idx < 0 || idx >= cols) return { ok: false, errors: [{ row: 1, column: null, message: `label column ${JSON.stringify(opts.label)} not found (columns: ${header.join(', ')})` }] };
    labelCol = idx;
  }
  const featureCols = header.map((_, i) => i).filter((i) => i !== labelCol);
  const n = body.length;
  const d = featureCols.length;
  const x = new Float64Array(n * d);
  const labels: string[] = [];
  body.forEach(({ cells, line }, r) => {
    if (cells.length !== cols) {
      fail({ row: line, column: null, message: `has ${cells.length} columns; expected ${cols}` });
      return;
    }
    featureCols.forEach((c, j) => {
      const cell = cells[c]!;
      if (!isNumber(cell)) fail({ row: line, column: c + 1, message: `${header[c]}: ${JSON.stringify(cell)} is not a number` });
      else x[r * d + j] = Number(cell);
    });
    const label = cells[labelCol]!.trim();
    if (label === '') fail({ row: line, column: labelCol + 1, message: `${header[labelCol]}: the label is empty` });
    labels.push(label);
  });
  if (errors.length) return { ok: false, errors };

  const ranges = scaleColumns(x, n, d);
  const numericLabels = labels.every(isNumber);
  const distinct = [...new Set(labels)];
  const maxClasses = opts.maxClasses ?? 20;
  const classification = !numericLabels || (labels.every((l) => Number.isInteger(Number(l))) && distinct.length <= maxClasses);
  if (!classification) {
    const y = Float64Array.from(labels, Number);
    const dataset: Dataset = { name: 'csv', x, y, n, inputDim: d, outputDim: 1, task: 'regression', classes: [] };
    return { ok: true, dataset, info: { features: featureCols.map((c) => header[c]!), labelName: header[labelCol]!, task: 'regression', rows: n, ranges } };
  }
  const classes = numericLabels ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
  if (classes.length < 2) {
    return { ok: false, errors: [{ row: body[0]!.line, column: labelCol + 1, message: `${header[labelCol]}: only one class (${classes[0]}); need at least 2` }] };
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const task: Task = classes.length === 2 ? 'binary' : 'multiclass';
  const k = task === 'binary' ? 1 : classes.length;
  const y = new Float64Array(n * k);
  labels.forEach((l, r) => {
    const ci = index.get(l)!;
    if (k === 1) y[r] = ci;
    else y[r * k + ci] = 1;
  });
  const dataset: Dataset = { name: 'csv', x, y, n, inputDim: d, outputDim: k, task, classes };
  return { ok: true, dataset, info: { features: featureCols.map((c) => header[c]!), labelName: header[labelCol]!, task, rows: n, ranges } };
}

/** Scale each column of x (n × d) into [-1, 1] in place; a constant column becomes 0. Returns the ranges. */
export function scaleColumns(x: Float64Array, n: number, d: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let j = 0; j < d; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + j]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = hi - lo;
    for (let i = 0; i < n; i++) x[i * d + j] = span > 0 ? (2 * (x[i * d + j]! - lo)) / span - 1 : 0;
    ranges.push([lo, hi]);
  }
  return ranges;
}

/** One line for a CSV error: "row 5, column 3: x2: "abc" is not a number". */
export function formatCsvError(e: CsvError): string {
  return `row ${e.row}${e.column === null ? '' : `, column ${e.column}`}: ${e.message}`;
}

/** A message of the CSV worker (csv-worker.ts) to the page: how far it is, or the result. */
export type CsvWorkerMessage = { readonly kind: 'progress'; readonly fraction: number } | { readonly kind: 'done'; readonly result: CsvResult };

/** What the page asks the CSV worker: parse this file with these options. */
export interface CsvWorkerRequest {
  readonly file: Blob;
  readonly opts: CsvOptions;
}

/**
 * Read and parse a CSV file off the main thread (a module Web Worker) so that a large file never freezes the page;
 * `progress` hears the fraction done. `signal` stops the worker (the promise then rejects with its reason).
 */
export function readCsvFile(file: Blob, opts: CsvOptions, progress: (fraction: number) => void, signal?: AbortSignal): Promise<CsvResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./csv-worker.ts', import.meta.url), { type: 'module', name: 'csv-parse' });
    const stop = () => {
      worker.terminate();
      signal?.removeEventListener('abort', abort);
    };
    const abort = () => {
      stop();
      reject(signal?.reason ?? new Error('aborted'));
    };
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort);
    worker.onmessage = (e: MessageEvent<CsvWorkerMessage>) => {
      if (e.data.kind === 'progress') progress(e.data.fraction);
      else {
        stop();
        resolve(e.data.result);
      }
    };
    worker.onerror = (e) => {
      stop();
      reject(new Error(`the CSV reader failed: ${e.message || 'unknown error'}`));
    };
    worker.postMessage({ file, opts } satisfies CsvWorkerRequest);
  });
}

