import { RiskBadge } from "../components/RiskBadge";
import type { Check } from "../history/check";
import { useT } from "../i18n";
import { BodyOutline, type Marker } from "./BodyOutline";
import { regionName } from "./names";
import { REGIONS } from "./regions";
import { type MappedSpot, mappedSpots } from "./spots";

/**
 * `[data-testid="body-map"]`: where the saved spots are, on a front and a back outline, each
 * numbered, and the same spots listed by place (body order: head to feet, front then back).
 */
export function BodyMapPanel({ checks }: { checks: readonly Check[] }) {
  const { t } = useT();
  const spots = mappedSpots(checks);
  if (spots.length === 0) return null;
  const placed = spots.filter((spot) => spot.place !== null);
  const numbered = new Map(placed.map((spot, i) => [spot.key, i + 1]));
  const name = (spot: MappedSpot) => spot.name || t("history.unnamed");
  const markers: Marker[] = placed.map((spot) => ({
    key: spot.key,
    number: numbered.get(spot.key) ?? 0,
    label: `${name(spot)}: ${regionName(t, spot.place!.region)}`,
    place: spot.place!,
  }));
  const order = new Map(REGIONS.map((region, i) => [region.id, i]));
  const places = [...new Set(placed.map((spot) => spot.place!.region))].sort(
    (a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0),
  );
  const unplaced = spots.filter((spot) => spot.place === null);
  return (
    <section className="panel panel--body-map" data-testid="body-map" aria-labelledby="body-map-heading">
      <h2 id="body-map-heading" className="panel__heading">
        {t("bodymap.heading")}
      </h2>
      {placed.length === 0 ? <p className="placeholder">{t("bodymap.empty")}</p> : null}
      <div className="body-map__views">
        <BodyOutline view="front" markers={markers} />
        <BodyOutline view="back" markers={markers} />
      </div>
      <h3 className="body-map__list-heading">{t("bodymap.list")}</h3>
      <ul className="body-map__places">
        {places.map((region) => (
          <li key={region} data-testid="body-place" data-region={region}>
            <span className="body-map__place">{regionName(t, region)}</span>
            <ul>
              {placed
                .filter((spot) => spot.place!.region === region)
                .map((spot) => (
                  <SpotLine key={spot.key} spot={spot} number={numbered.get(spot.key) ?? 0} name={name(spot)} />
                ))}
            </ul>
          </li>
        ))}
        {unplaced.length > 0 ? (
          <li data-testid="body-place" data-region="">
            <span className="body-map__place">{t("bodymap.unplaced")}</span>
            <ul>
              {unplaced.map((spot) => (
                <SpotLine key={spot.key} spot={spot} number={null} name={name(spot)} />
              ))}
            </ul>
          </li>
        ) : null}
      </ul>
    </section>
  );
}

function SpotLine({ spot, number, name }: { spot: MappedSpot; number: number | null; name: string }) {
  const { t, date } = useT();
  const last = spot.checks.at(-1)!;
  return (
    <li className="body-map__spot" data-testid="body-spot">
      {number !== null ? (
        <span className="body-map__number" aria-hidden="true">
          {number}
        </span>
      ) : null}
      <strong>{name}</strong>{" "}
      <span>{t("bodymap.spot_checks", { count: spot.checks.length, date: date(last.createdAt, true) })}</span>{" "}
      <RiskBadge risk={last.risk} />
    </li>
  );
}
