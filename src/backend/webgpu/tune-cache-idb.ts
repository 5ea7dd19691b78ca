/** The tuner's cache in a page: IndexedDB database "backprop-lab", store "matmul-tune", one record per adapter key. */
import type { TuneCache, TuneWinners } from './matmul-tuner.js';

const DB = 'backprop-lab';
const STORE = 'matmul-tune';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** Winners in IndexedDB (the page's cache); `indexedDB` defaults to the page's. */
export class IdbTuneCache implements TuneCache {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly idb: IDBFactory = indexedDB) {}

  async load(key: string): Promise<TuneWinners> {
    const tx = (await this.open()).transaction(STORE, 'readonly');
    const value = (await request(tx.objectStore(STORE).get(key))) as TuneWinners | undefined;
    return { ...(value ?? {}) };
  }

  async save(key: string, winners: TuneWinners): Promise<void> {
    const tx = (await this.open()).transaction(STORE, 'readwrite');
    await request(tx.objectStore(STORE).put({ ...winners }, key));
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const r = this.idb.open(DB, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error(`IndexedDB ${DB} did not open`));
    });
    return this.db;
  }
}
