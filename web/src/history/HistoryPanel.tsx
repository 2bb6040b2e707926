import { type RefObject, useEffect, useRef, useState } from "react";
import { RiskBadge } from "../components/RiskBadge";
import { percent } from "../components/format";
import { useFigures } from "../components/ModelFigures";
import { useT } from "../i18n";
import { downloadReport } from "../report/report";
import { BackupControls } from "./BackupControls";
import type { Check } from "./check";
import type { History } from "./useHistory";

/**
 * The saved checks on this device: list, delete one (with Undo), delete all; and the privacy
 * promise. Focus never falls to <body>: after deleting one check it moves to the Undo button that
 * replaces it, after deleting all to the panel's heading.
 */
export function HistoryPanel({ history }: { history: History }) {
  const { t } = useT();
  const [notice, setNotice] = useState("");
  const [deleted, setDeleted] = useState<Check | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const undoRef = useRef<HTMLButtonElement>(null);
  const newestFirst = [...history.checks].reverse();

  useEffect(() => {
    if (deleted) undoRef.current?.focus();
  }, [deleted]);

  const clearAll = async () => {
    if (!window.confirm(t("history.clear_confirm"))) return;
    await history.clear();
    setDeleted(null);
    setNotice(t("history.cleared"));
    headingRef.current?.focus();
  };
  const remove = async (check: Check) => {
    await history.remove(check.id ?? -1);
    setNotice("");
    setDeleted(check);
  };
  const undo = async () => {
    if (!deleted) return;
    await history.save(deleted);
    setDeleted(null);
    setNotice(t("history.restored"));
    headingRef.current?.focus();
  };

  return (
    <section className="panel panel--history" data-testid="history" aria-labelledby="history-heading">
      <h2 id="history-heading" ref={headingRef} tabIndex={-1} className="panel__heading">
        {t("history.heading")}
      </h2>
      <p className="history__privacy">{t("privacy.local")}</p>
      {!history.available ? <p>{t("history.unavailable")}</p> : null}
      {deleted ? <UndoNotice deleted={deleted} undoRef={undoRef} onUndo={() => void undo()} /> : null}
      {history.available && newestFirst.length === 0 ? <p className="placeholder">{t("history.empty")}</p> : null}
      {newestFirst.length > 0 ? (
        <HistoryList checks={newestFirst} onDelete={(check) => void remove(check)} onClear={() => void clearAll()} />
      ) : null}
      {history.available ? <BackupControls history={history} /> : null}
      <p className="visually-hidden" role="status">
        {notice}
      </p>
    </section>
  );
}

/** How many checks, one item per check (newest first), and "Delete all". */
function HistoryList({
  checks,
  onDelete,
  onClear,
}: {
  checks: Check[];
  onDelete: (check: Check) => void;
  onClear: () => void;
}) {
  const { t } = useT();
  return (
    <>
      <p className="history__count">{t("history.count", { count: checks.length })}</p>
      <ul className="history__list">
        {checks.map((check) => (
          <HistoryItem key={check.id} check={check} onDelete={() => onDelete(check)} />
        ))}
      </ul>
      <button type="button" className="button button--ghost" data-testid="history-clear" onClick={onClear}>
        {t("history.clear")}
      </button>
    </>
  );
}

/** "Deleted …" with the Undo button that takes the focus. */
function UndoNotice({
  deleted,
  undoRef,
  onUndo,
}: {
  deleted: Check;
  undoRef: RefObject<HTMLButtonElement | null>;
  onUndo: () => void;
}) {
  const { t, date } = useT();
  return (
    <div className="history__undo" data-testid="history-undo">
      <p role="status">
        {t("history.deleted", { spot: deleted.spot || t("history.unnamed"), date: date(deleted.createdAt) })}
      </p>
      <button ref={undoRef} type="button" className="button button--secondary" onClick={onUndo}>
        {t("history.undo")}
      </button>
    </div>
  );
}

function HistoryItem({ check, onDelete }: { check: Check; onDelete: () => void }) {
  const i18n = useT();
  const figures = useFigures();
  const { t, date } = i18n;
  const spot = check.spot || t("history.unnamed");
  const when = date(check.createdAt);
  return (
    <li className="history-item" data-testid="history-item" data-id={check.id}>
      {check.thumbnail ? (
        <img className="history-item__thumb" src={check.thumbnail} alt={t("history.thumb_alt", { spot, date: when })} />
      ) : (
        <span className="history-item__thumb" aria-hidden="true" />
      )}
      <div className="history-item__text">
        <strong>{spot}</strong>
        <time dateTime={new Date(check.createdAt).toISOString()}>{when}</time>
        <span>
          <RiskBadge risk={check.risk} /> {t("result.score", { percent: percent(check.p_malignant) })}
        </span>
      </div>
      <button
        type="button"
        className="button button--ghost history-item__delete"
        aria-label={t("history.report_named", { spot, date: when })}
        onClick={() =>
          void downloadReport(check, i18n, figures).catch((error: unknown) => console.warn("report failed", error))
        }
      >
        {t("history.report")}
      </button>
      <button
        type="button"
        className="button button--ghost history-item__delete"
        aria-label={t("history.delete_named", { spot, date: when })}
        onClick={onDelete}
      >
        {t("history.delete")}
      </button>
    </li>
  );
}
