/**
 * The on-device history: checks in this browser's IndexedDB, nowhere else. No request ever
 * carries them (the browser tests check this); the person lists, deletes one or deletes all.
 */
import type { Check } from "./check";

const DB_NAME = "skinscan";
const STORE = "checks";
const VERSION = 1;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  if (typeof indexedDB === "undefined") return Promise.reject(new Error("IndexedDB is not available"));
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      const store = req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      store.createIndex("createdAt", "createdAt");
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB could not be opened"));
    req.onblocked = () => reject(new Error("IndexedDB is blocked by another tab"));
  }).catch((error: unknown) => {
    opening = null;
    throw error;
  });
  return opening;
}

async function withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  const tx = db.transaction(STORE, mode);
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
  const [result] = await Promise.all([request(run(tx.objectStore(STORE))), done]);
  return result;
}

/** Save a check; resolves to its new id. */
export async function saveCheck(check: Check): Promise<number> {
  const { id: _unused, ...record } = check;
  return Number(await withStore("readwrite", (store) => store.add(record)));
}

/** Every saved check, oldest first. */
export async function listChecks(): Promise<Check[]> {
  const all = await withStore("readonly", (store) => store.index("createdAt").getAll());
  return all as Check[];
}

/**
 * Add many checks in one transaction (a restored backup): either all are stored or, if any
 * fails, none is. Resolves to the number stored.
 */
export async function addChecks(checks: readonly Check[]): Promise<number> {
  const db = await open();
  const tx = db.transaction(STORE, "readwrite");
  const store = tx.objectStore(STORE);
  const done = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
  for (const check of checks) {
    const { id: _unused, ...record } = check;
    store.add(record);
  }
  await done;
  return checks.length;
}

export function deleteCheck(id: number): Promise<undefined> {
  return withStore("readwrite", (store) => store.delete(id));
}

export function clearChecks(): Promise<undefined> {
  return withStore("readwrite", (store) => store.clear());
}
