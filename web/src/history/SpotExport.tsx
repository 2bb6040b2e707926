import { useState } from "react";
import { useFigures } from "../components/ModelFigures";
import { useT } from "../i18n";
import { downloadSpotReport } from "../report/spotReport";
import type { Check } from "./check";

/** "Download this spot's history for your doctor": a multi-page PDF made in this browser. */
export function SpotExport({ spot, checks }: { spot: string; checks: Check[] }) {
  const i18n = useT();
  const figures = useFigures();
  const [state, setState] = useState<{ kind: "idle" | "busy" | "failed" } | { kind: "done"; pages: number }>({
    kind: "idle",
  });
  const run = async () => {
    setState({ kind: "busy" });
    try {
      setState({ kind: "done", pages: await downloadSpotReport(spot, checks, i18n, figures) });
    } catch (error) {
      console.warn("spot report failed", error);
      setState({ kind: "failed" });
    }
  };
  return (
    <div className="spot-export">
      <button
        type="button"
        className="button button--secondary"
        data-testid="export"
        disabled={state.kind === "busy"}
        onClick={() => void run()}
      >
        {i18n.t("export.spot_button")}
      </button>
      <p role="status" className="spot-export__status">
        {state.kind === "done" ? i18n.t("export.spot_done", { count: state.pages }) : ""}
      </p>
      {state.kind === "failed" ? <p role="alert">{i18n.t("export.failed")}</p> : null}
    </div>
  );
}
