/** The tuner's cache for the CLI (Node only): one JSON file of winners per adapter key, under the project's .cache/. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TuneCache, TuneWinners } from './matmul-tuner.js';

/** Default cache file, relative to the working directory (the project root when run through `npm run lab`). */
export const DEFAULT_TUNE_CACHE_FILE = path.join('.cache', 'matmul-tune.json');

interface CacheFile {
  version: 1;
  adapters: Record<string, TuneWinners>;
}

/** Winners in a JSON file: { version, adapters: { [adapterKey]: { [shapeClass]: candidate } } }. */
export class FileTuneCache implements TuneCache {
  constructor(readonly file: string = DEFAULT_TUNE_CACHE_FILE) {}

  async load(key: string): Promise<TuneWinners> {
    return { ...(this.read().adapters[key] ?? {}) };
  }

  async save(key: string, winners: TuneWinners): Promise<void> {
    const all = this.read();
    all.adapters[key] = { ...winners };
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(tmp, this.file);
  }

  /** The file's contents; a missing or unreadable file reads as empty (it is only a cache). */
  private read(): CacheFile {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<CacheFile>;
      if (parsed.version === 1 && parsed.adapters && typeof parsed.adapters === 'object') return { version: 1, adapters: parsed.adapters };
    } catch {
      // missing or corrupt: start afresh
    }
    return { version: 1, adapters: {} };
  }
}
