import { type FormEvent, useId, useState } from "react";
import { PlacePicker } from "../bodymap/PlacePicker";
import type { Place } from "../bodymap/regions";
import { useT } from "../i18n";

interface Props {
  /** Spot names already used, offered as suggestions (same name = same spot for comparing). */
  knownSpots: string[];
  onSave: (spot: string, place: Place | null) => Promise<unknown>;
  /** The spot being checked again (retake with a guide): its name, filled in. */
  initialSpot?: string;
}

/** Name the spot (optional) and keep this check in the browser's history. */
export function SaveCheck({ knownSpots, onSave, initialSpot = "" }: Props) {
  const { t } = useT();
  const id = useId();
  const [spot, setSpot] = useState(initialSpot);
  const [place, setPlace] = useState<Place | null>(null);
  const [state, setState] = useState<"idle" | "saving" | "saved" | "failed">("idle");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setState("saving");
    try {
      await onSave(spot.trim(), place);
      setState("saved");
    } catch {
      setState("failed");
    }
  };

  return (
    <form className="save-check" onSubmit={(event) => void submit(event)}>
      <label htmlFor={`${id}-spot`}>{t("save.spot")}</label>
      <div className="save-check__row">
        <input
          id={`${id}-spot`}
          type="text"
          value={spot}
          maxLength={60}
          placeholder={t("save.spot_placeholder")}
          list={`${id}-spots`}
          autoComplete="off"
          onChange={(event) => setSpot(event.currentTarget.value)}
        />
        <datalist id={`${id}-spots`}>
          {knownSpots.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <button
          type="submit"
          className="button button--secondary"
          data-testid="save"
          disabled={state === "saving" || state === "saved"}
        >
          {t("save.button")}
        </button>
      </div>
      <PlacePicker place={place} onChange={setPlace} />
      <p className="save-check__status" role="status">
        {state === "saved" ? t("save.done") : state === "failed" ? t("save.failed") : ""}
      </p>
    </form>
  );
}
