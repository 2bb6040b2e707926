/**
 * The on-device history: checks in this browser's IndexedDB, nowhere else. No request ever
 * carries them (the browser tests check this); the person lists, deletes one or deletes all.
 * The database (name, store, key, index) is the one earlier versions of the page wrote, so saved
 * checks carry over.
 */
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type { Check } from "./check";

const DB_NAME = "skinscan";
const STORE = "checks";
const VERSION = 1;

interface HistoryDB extends DBSchema {
  checks: { key: number; value: Check; indexes: { createdAt: number } };
}

let opening: Promise<IDBPDatabase<HistoryDB>> | null = null;

function open(): Promise<IDBPDatabase<HistoryDB>> {
  if (typeof indexedDB === "undefined") return Promise.reject(new Error("IndexedDB is not available"));
  opening ??= openDB<HistoryDB>(DB_NAME, VERSION, {
    upgrade(db) {
      db.createObjectStore(STORE, { keyPath: "id", autoIncrement: true }).createIndex("createdAt", "createdAt");
    },
  }).catch((error: unknown) => {
    opening = null;
    throw error;
  });
  return opening;
}

/** Save a check; resolves to its new id. */
export async function saveCheck(check: Check): Promise<number> {
  const { id: _unused, ...record } = check;
  return (await open()).add(STORE, record);
}

/** Every saved check, oldest first. */
export async function listChecks(): Promise<Check[]> {
  return (await open()).getAllFromIndex(STORE, "createdAt");
}

/**
 * Add many checks in one transaction (a restored backup): either all are stored or, if any
 * fails, the transaction aborts and none is. Resolves to the number stored.
 */
export async function addChecks(checks: readonly Check[]): Promise<number> {
  const tx = (await open()).transaction(STORE, "readwrite");
  await Promise.all([...checks.map(({ id: _unused, ...record }) => tx.store.add(record)), tx.done]);
  return checks.length;
}

export async function deleteCheck(id: number): Promise<void> {
  await (await open()).delete(STORE, id);
}

export async function clearChecks(): Promise<void> {
  await (await open()).clear(STORE);
}
