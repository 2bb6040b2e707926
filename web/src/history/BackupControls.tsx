import { type ChangeEvent, useId, useRef, useState } from "react";
import { useT } from "../i18n";
import { BackupError, LIMITS, backupFilename, makeBackup, readBackup, sameCheck } from "./backup";
import { downloadBlob } from "./download";
import type { History } from "./useHistory";

type Outcome =
  | { kind: "none" }
  | { kind: "exported"; count: number }
  | { kind: "imported"; added: number; skipped: number }
  | { kind: "refused"; error: BackupError | null };

/** The export and import actions and what the last one came to. */
function useBackup(history: History) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: "none" });
  const [busy, setBusy] = useState(false);

  const exportAll = async () => {
    const backup = await makeBackup(history.checks);
    downloadBlob(new Blob([JSON.stringify(backup)], { type: "application/json" }), backupFilename());
    setOutcome({ kind: "exported", count: backup.count });
  };

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    try {
      if (file.size > LIMITS.fileBytes) throw new BackupError("too_large");
      const restored = await readBackup(await file.text());
      const fresh = restored.filter((check) => !history.checks.some((saved) => sameCheck(saved, check)));
      await history.restore(fresh);
      setOutcome({ kind: "imported", added: fresh.length, skipped: restored.length - fresh.length });
    } catch (error) {
      setOutcome({ kind: "refused", error: error instanceof BackupError ? error : null });
    } finally {
      setBusy(false);
      input.value = ""; // the same file may be chosen again
    }
  };

  return { outcome, busy, exportAll, importFile };
}

/** What the last export or import did (the live region is always there, empty at first). */
function BackupStatus({ outcome }: { outcome: Outcome }) {
  const { t } = useT();
  return (
    <div role="status" className="backup__status" data-testid="backup-status" data-outcome={outcome.kind}>
      {outcome.kind === "exported" ? <p>{t("backup.exported", { count: outcome.count })}</p> : null}
      {outcome.kind === "imported" ? (
        <p>
          {outcome.added === 0 ? t("backup.imported_none") : t("backup.imported", { count: outcome.added })}
          {outcome.skipped > 0 ? ` ${t("backup.skipped", { count: outcome.skipped })}` : ""}
        </p>
      ) : null}
    </div>
  );
}

/** Why a file was refused (and where in it), and that nothing of it was stored. */
function BackupRefusal({ error }: { error: BackupError | null }) {
  const { t } = useT();
  return (
    <p role="alert" className="backup__error" data-testid="backup-error" data-code={error?.code ?? "storage"}>
      {error ? t(`backup.error.${error.code}`) : t("backup.error.storage")}
      {error?.check !== null && error?.check !== undefined
        ? ` ${t("backup.error.where", { number: error.check + 1 })}`
        : ""}{" "}
      {t("backup.error.nothing")}
    </p>
  );
}

/**
 * Backup of the whole history to one file the person keeps, and restoring it (here or on another
 * device). A file that fails any check is refused with the reason; nothing of it is stored.
 */
export function BackupControls({ history }: { history: History }) {
  const { t } = useT();
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const { outcome, busy, exportAll, importFile } = useBackup(history);

  return (
    <div className="backup">
      <h3 className="backup__heading">{t("backup.heading")}</h3>
      <p className="backup__explain">{t("backup.explain")}</p>
      <div className="backup__buttons">
        <button
          type="button"
          className="button button--secondary"
          data-testid="history-export"
          disabled={history.checks.length === 0}
          onClick={() => void exportAll()}
        >
          {t("backup.export")}
        </button>
        <label className="button button--ghost backup__import" htmlFor={`${id}-import`}>
          {t("backup.import")}
        </label>
        <input
          ref={inputRef}
          id={`${id}-import`}
          className="visually-hidden"
          type="file"
          accept="application/json,.json"
          data-testid="history-import"
          disabled={busy || !history.available}
          onChange={(event) => void importFile(event)}
        />
      </div>
      <BackupStatus outcome={outcome} />
      {outcome.kind === "refused" ? <BackupRefusal error={outcome.error} /> : null}
    </div>
  );
}
