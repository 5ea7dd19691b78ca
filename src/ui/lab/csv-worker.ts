/**
 * Entry point of the CSV worker (a module Web Worker started by csv.readCsvFile): reads the posted file, parses it
 * with csv.parseCsv, posts progress as it goes and then the result, its arrays transferred rather than copied.
 */
import { parseCsv, type CsvWorkerMessage, type CsvWorkerRequest } from './csv.js';

/** The parts of a dedicated worker's global scope used here. */
interface WorkerScope {
  onmessage: ((e: MessageEvent<CsvWorkerRequest>) => void) | null;
  postMessage(message: CsvWorkerMessage, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = async (e) => {
  const { file, opts } = e.data;
  const text = await file.text();
  const result = parseCsv(text, opts, (fraction) => scope.postMessage({ kind: 'progress', fraction }));
  scope.postMessage({ kind: 'done', result }, result.ok ? [result.dataset.x.buffer, result.dataset.y.buffer] : []);
};
