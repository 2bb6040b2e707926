import { useT } from "../i18n";
import { BodyOutline } from "./BodyOutline";
import { placeName } from "./names";
import type { Place } from "./regions";

/** Where on the body a spot is (optional): tap the front or back outline, or pick a region with the keyboard. */
export function PlacePicker({ place, onChange }: { place: Place | null; onChange: (place: Place | null) => void }) {
  const { t } = useT();
  const markers = place ? [{ key: "chosen", number: 1, label: placeName(t, place), place }] : [];
  return (
    <fieldset className="place-picker" data-testid="place-picker">
      <legend>{t("save.place")}</legend>
      <div className="body-map__views">
        <BodyOutline view="front" markers={markers} onPick={onChange} chosen={place?.region ?? null} />
        <BodyOutline view="back" markers={markers} onPick={onChange} chosen={place?.region ?? null} />
      </div>
      <p className="place-picker__chosen" role="status">
        {place ? t("save.place_chosen", { place: placeName(t, place) }) : ""}
      </p>
      {place ? (
        <button type="button" className="button button--ghost" onClick={() => onChange(null)}>
          {t("save.place_clear")}
        </button>
      ) : null}
    </fieldset>
  );
}
