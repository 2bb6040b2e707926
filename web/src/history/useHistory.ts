import { useCallback, useEffect, useState } from "react";
import type { Check } from "./check";
import { addChecks, clearChecks, deleteCheck, listChecks, saveCheck } from "./store";

export interface History {
  checks: Check[];
  /** False when this browser refuses IndexedDB (some private modes). */
  available: boolean;
  save: (check: Check) => Promise<number>;
  remove: (id: number) => Promise<void>;
  clear: () => Promise<void>;
  /** Store restored checks all in one transaction (or none); resolves to how many. */
  restore: (checks: readonly Check[]) => Promise<number>;
}

/** The on-device history, kept in step with IndexedDB. */
export function useHistory(): History {
  const [checks, setChecks] = useState<Check[]>([]);
  const [available, setAvailable] = useState(true);

  const refresh = useCallback(async () => {
    try {
      setChecks(await listChecks());
    } catch {
      setAvailable(false);
    }
  }, []);

  useEffect(() => {
    let current = true;
    listChecks().then(
      (loaded) => current && setChecks(loaded),
      () => current && setAvailable(false),
    );
    return () => {
      current = false;
    };
  }, []);

  const save = useCallback(
    async (check: Check) => {
      const id = await saveCheck(check);
      await refresh();
      return id;
    },
    [refresh],
  );
  const remove = useCallback(
    async (id: number) => {
      await deleteCheck(id);
      await refresh();
    },
    [refresh],
  );
  const clear = useCallback(async () => {
    await clearChecks();
    await refresh();
  }, [refresh]);

  const restore = useCallback(
    async (restored: readonly Check[]) => {
      try {
        return await addChecks(restored);
      } finally {
        await refresh();
      }
    },
    [refresh],
  );

  return { checks, available, save, remove, clear, restore };
}
