import type { Check } from "../history/check";
import { type Place, validPlace } from "./regions";

/** One spot on the body map: a named spot's checks (or one unnamed check) and its latest place. */
export interface MappedSpot {
  key: string;
  /** "" for an unnamed check. */
  name: string;
  checks: Check[];
  place: Place | null;
}

/**
 * The spots of the history, oldest first: checks with the same name are one spot, an unnamed
 * check is a spot of its own. A spot's place is the one given at its latest check that had one.
 */
export function mappedSpots(checks: readonly Check[]): MappedSpot[] {
  const byKey = new Map<string, MappedSpot>();
  for (const check of [...checks].sort((a, b) => a.createdAt - b.createdAt)) {
    const key = check.spot ? `spot:${check.spot}` : `check:${check.id ?? check.createdAt}`;
    const spot = byKey.get(key) ?? { key, name: check.spot, checks: [], place: null };
    spot.checks.push(check);
    spot.place = validPlace(check.place) ?? spot.place;
    byKey.set(key, spot);
  }
  return [...byKey.values()];
}
