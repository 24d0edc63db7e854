import type { BindingStore } from '../store/binding-store.js';

/** The bindings store a command writes to (`--db FILE`). */
export type Store = BindingStore;

/**
 * Opens (or creates) the SQLite store at `path`; loads better-sqlite3 only then, so a command run
 * without `--db` never pays for it. A file that cannot be opened or is no arpkit database throws
 * a StoreError (a RuntimeError) naming it.
 */
export async function openStore(path: string): Promise<Store> {
  const { BindingStore } = await import('../store/binding-store.js');
  return BindingStore.open(path);
}
