import { useId, useState } from "react";
import { percent } from "../components/format";
import { RiskBadge } from "../components/RiskBadge";
import { useT } from "../i18n";
import type { Check } from "./check";

const ZOOMS = [1, 1.5, 2, 3, 4] as const;

/** One zoom for both photos, as a slider over ZOOMS. */
function ZoomControl({ id, zoom, onZoom }: { id: string; zoom: number; onZoom: (zoom: number) => void }) {
  const { t } = useT();
  const scale = ZOOMS[zoom] ?? 1;
  return (
    <div className="photo-pair__zoom">
      <label htmlFor={`${id}-zoom`}>{t("compare.zoom")}</label>
      <input
        id={`${id}-zoom`}
        type="range"
        min={0}
        max={ZOOMS.length - 1}
        step={1}
        value={zoom}
        aria-valuetext={`${scale}×`}
        data-testid="compare-zoom"
        onChange={(event) => onZoom(Number(event.currentTarget.value))}
      />
      <output htmlFor={`${id}-zoom`}>{scale}×</output>
    </div>
  );
}

interface SideProps {
  id: string;
  side: "before" | "after";
  spot: string;
  /** The checks that have a photo, oldest first; `index` picks one of them. */
  withPhotos: Check[];
  index: number;
  onPick: (index: number) => void;
  scale: number;
}

/** One side of the pair: the photo at the shared zoom, which check it is (changeable), and its score. */
function PhotoSide({ id, side, spot, withPhotos, index, onPick, scale }: SideProps) {
  const { t, date } = useT();
  const check = withPhotos[Math.min(index, withPhotos.length - 1)]!;
  const when = date(check.createdAt);
  return (
    <figure className="photo-pair__figure" data-testid="compare-photo">
      <div className="photo-pair__frame">
        <img
          src={check.thumbnail ?? ""}
          alt={t("history.thumb_alt", { spot, date: when })}
          className="photo-pair__img"
          style={{ transform: `scale(${scale})` }}
        />
      </div>
      <figcaption>
        <label htmlFor={`${id}-${side}`}>{t(side === "before" ? "compare.earlier" : "compare.later")}</label>
        <select id={`${id}-${side}`} value={index} onChange={(event) => onPick(Number(event.currentTarget.value))}>
          {withPhotos.map((option, i) => (
            <option key={option.id ?? i} value={i}>
              {date(option.createdAt)}
            </option>
          ))}
        </select>
        <span>
          <RiskBadge risk={check.risk} /> {t("result.score", { percent: percent(check.p_malignant) })}
        </span>
      </figcaption>
    </figure>
  );
}

/**
 * Two photos of a spot side by side, large (by default the first and the last check; either can
 * be changed), with one zoom for both, so the same part of the spot is compared at the same size.
 */
export function PhotoPair({ spot, checks }: { spot: string; checks: Check[] }) {
  const { t } = useT();
  const id = useId();
  const withPhotos = checks.filter((check) => check.thumbnail);
  const [before, setBefore] = useState(0);
  const [after, setAfter] = useState(withPhotos.length - 1);
  const [zoom, setZoom] = useState(0);
  if (withPhotos.length < 2) return null;
  const sides = [
    { key: "before", index: before, set: setBefore },
    { key: "after", index: after, set: setAfter },
  ] as const;
  const scale = ZOOMS[zoom] ?? 1;
  return (
    <section className="photo-pair" data-testid="compare-photos" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`} className="photo-pair__heading">
        {t("compare.photos")}
      </h3>
      <ZoomControl id={id} zoom={zoom} onZoom={setZoom} />
      <div className="photo-pair__row">
        {sides.map(({ key, index, set }) => (
          <PhotoSide
            key={key}
            id={id}
            side={key}
            spot={spot}
            withPhotos={withPhotos}
            index={index}
            onPick={set}
            scale={scale}
          />
        ))}
      </div>
    </section>
  );
}
