import type { KeyboardEvent, MouseEvent } from "react";
import { useT } from "../i18n";
import { regionName } from "./names";
import { type Place, placeIn, type Region, REGIONS, regionAt, type Shape, VIEW_BOX, type View } from "./regions";

export interface Marker {
  key: string;
  /** Number shown in the marker (the spot's number in the list). */
  number: number;
  label: string;
  place: Place;
}

interface Props {
  view: View;
  markers: readonly Marker[];
  /** Given: each region is a button that places the spot there (click: at the point; keys: its middle). */
  onPick?: (place: Place) => void;
  /** The region chosen in the picker, highlighted. */
  chosen?: string | null;
}

function ShapeOf({ shape, ...rest }: { shape: Shape } & Record<string, unknown>) {
  return shape.kind === "ellipse" ? (
    <ellipse cx={shape.cx} cy={shape.cy} rx={shape.rx} ry={shape.ry} {...rest} />
  ) : (
    <rect x={shape.x} y={shape.y} width={shape.width} height={shape.height} rx={shape.r} {...rest} />
  );
}

/** The point of a click in the outline's own coordinates. */
function svgPoint(event: MouseEvent<SVGElement>): { x: number; y: number } | null {
  const svg = event.currentTarget.ownerSVGElement;
  const matrix = svg?.getScreenCTM?.();
  if (!svg || !matrix) return null;
  const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
  return { x: point.x, y: point.y };
}

/** One view (front or back) of the body outline, with numbered markers for placed spots. */
export function BodyOutline({ view, markers, onPick, chosen = null }: Props) {
  const { t } = useT();
  const regions = REGIONS.filter((region) => region.view === view);
  const pickAt = (region: Region) => (event: MouseEvent<SVGElement>) => {
    const point = svgPoint(event);
    const under = point ? regionAt(view, point.x, point.y) : null;
    onPick?.(under && point ? { view, region: under.id, ...point } : placeIn(region));
  };
  const pickByKey = (region: Region) => (event: KeyboardEvent<SVGElement>) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    onPick?.(placeIn(region));
  };
  const viewMarkers = markers.filter((marker) => marker.place.view === view);
  return (
    <figure className="body-outline">
      <svg
        viewBox={`0 0 ${VIEW_BOX.width} ${VIEW_BOX.height}`}
        className="body-outline__svg"
        role={onPick ? "group" : "img"}
        aria-label={t(`bodymap.${view}`)}
      >
        {regions.map((region) =>
          onPick ? (
            <ShapeOf
              key={region.id}
              shape={region.shape}
              className={`body-outline__region${chosen === region.id ? " body-outline__region--chosen" : ""}`}
              role="button"
              tabIndex={0}
              aria-label={regionName(t, region.id)}
              aria-pressed={chosen === region.id}
              data-region={region.id}
              onClick={pickAt(region)}
              onKeyDown={pickByKey(region)}
            />
          ) : (
            <ShapeOf key={region.id} shape={region.shape} className="body-outline__region" />
          ),
        )}
        {viewMarkers.map((marker) => (
          <g
            key={marker.key}
            className="body-outline__marker"
            data-testid="body-marker"
            data-region={marker.place.region}
          >
            <title>{marker.label}</title>
            <circle cx={marker.place.x} cy={marker.place.y} r={6} />
            <text x={marker.place.x} y={marker.place.y + 3} textAnchor="middle">
              {marker.number}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="body-outline__caption">{t(`body.view.${view}`)}</figcaption>
    </figure>
  );
}
