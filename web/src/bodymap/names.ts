import type { I18n } from "../i18n";
import { type Place, regionById } from "./regions";

/** A region's name in the page's language, e.g. "left thigh (back)" / "左大腿（背面）". */
export function regionName(t: I18n["t"], id: string): string {
  const region = regionById(id);
  if (!region) return t("bodymap.unplaced");
  const part = t(`body.${region.part}`);
  const sided = region.side ? t(`body.side.${region.side}`, { part }) : part;
  return t("body.place", { part: sided, view: t(`body.view.${region.view}`) });
}

export const placeName = (t: I18n["t"], place: Place): string => regionName(t, place.region);
