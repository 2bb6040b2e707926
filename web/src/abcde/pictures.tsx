/** Simple drawings for the ABCDE guide: a usual spot beside one showing the warning sign. */
import type { ReactNode } from "react";

export type Sign = "a" | "b" | "c" | "d" | "e";

const SPOT = "#7a5230";
const DARK = "#2b1a10";

const usual = <circle cx="0" cy="0" r="11" fill={SPOT} />;

const WARNING: Record<Sign, ReactNode> = {
  // Asymmetry: the halves do not match.
  a: <path d="M-11 -2 C-12 -10 -2 -13 3 -9 C12 -7 14 2 8 6 C4 12 -6 8 -8 4 C-12 2 -10 0 -11 -2 Z" fill={SPOT} />,
  // Border: ragged, notched.
  b: (
    <path
      d="M0 -12 L3 -8 L8 -10 L8 -4 L12 -1 L8 3 L10 8 L4 8 L1 12 L-2 8 L-8 10 L-8 4 L-12 1 L-8 -3 L-10 -8 L-4 -8 Z"
      fill={SPOT}
    />
  ),
  // Colour: several shades.
  c: (
    <g>
      <circle cx="0" cy="0" r="11" fill={SPOT} />
      <circle cx="-4" cy="-3" r="5" fill={DARK} />
      <circle cx="5" cy="3" r="4" fill="#b23a3a" />
      <circle cx="1" cy="6" r="2.5" fill="#5b7db1" />
    </g>
  ),
  // Diameter: larger than 6 mm (the bar).
  d: (
    <g>
      <circle cx="0" cy="-2" r="12" fill={SPOT} />
      <line x1="-12" x2="12" y1="13" y2="13" stroke={DARK} strokeWidth="1.5" />
      <line x1="-12" x2="-12" y1="11" y2="15" stroke={DARK} strokeWidth="1.5" />
      <line x1="12" x2="12" y1="11" y2="15" stroke={DARK} strokeWidth="1.5" />
    </g>
  ),
  // Evolving: it grows and changes.
  e: (
    <g>
      <circle cx="-7" cy="0" r="5" fill={SPOT} />
      <path d="M-1 0 H3 M1 -2 L3 0 L1 2" stroke={DARK} strokeWidth="1.2" fill="none" />
      <path d="M6 -8 C14 -9 15 2 12 6 C9 10 4 9 5 4 C3 0 2 -6 6 -8 Z" fill={DARK} />
    </g>
  ),
};

/** Two spots side by side: left the usual one, right the warning sign (described in the text beside it). */
export function SignPicture({
  sign,
  usualLabel,
  warningLabel,
}: {
  sign: Sign;
  usualLabel: string;
  warningLabel: string;
}) {
  return (
    <svg className="abcde__picture" viewBox="0 0 100 44" aria-hidden="true">
      <g transform="translate(25 18)">{usual}</g>
      <g transform="translate(75 18)">{WARNING[sign]}</g>
      <text x="25" y="41" textAnchor="middle">
        {usualLabel}
      </text>
      <text x="75" y="41" textAnchor="middle">
        {warningLabel}
      </text>
    </svg>
  );
}
