import { useState } from "react";
import type { Check } from "../history/check";
import { useFigures } from "../components/ModelFigures";
import { useT } from "../i18n";
import { downloadReport } from "./report";

/** "Download a report for your doctor": this check as a one-page PDF made in this browser. */
export function ExportButton({ check }: { check: Check }) {
  const i18n = useT();
  const figures = useFigures();
  const [failed, setFailed] = useState(false);
  const run = async () => {
    setFailed(false);
    try {
      await downloadReport(check, i18n, figures);
    } catch (error) {
      console.warn("report failed", error);
      setFailed(true);
    }
  };
  return (
    <>
      <button type="button" className="button button--secondary" data-testid="report" onClick={() => void run()}>
        {i18n.t("export.button")}
      </button>
      {failed ? <p role="alert">{i18n.t("export.failed")}</p> : null}
    </>
  );
}
