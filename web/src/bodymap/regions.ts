/**
 * A simple body outline, front and back, made of named regions (SVG shapes in a 120 x 260 box per
 * view). The outline is drawn from the regions themselves, so every point of the body belongs to
 * exactly one named place. Front: the person's right is on the viewer's left; back: on the right.
 */
export type View = "front" | "back";
export type Side = "left" | "right";
/** The body part's catalogue key is `body.<part>`. */
export type Part =
  | "head"
  | "neck"
  | "chest"
  | "abdomen"
  | "groin"
  | "upper_back"
  | "lower_back"
  | "buttocks"
  | "upper_arm"
  | "forearm"
  | "hand"
  | "thigh"
  | "lower_leg"
  | "foot";

export type Shape =
  | { kind: "ellipse"; cx: number; cy: number; rx: number; ry: number }
  | { kind: "rect"; x: number; y: number; width: number; height: number; r: number };

export interface Region {
  /** Stable id, e.g. `front.thigh.left`. */
  id: string;
  view: View;
  part: Part;
  side: Side | null;
  shape: Shape;
}

/** Where a spot is: the region and the point in its view's 120 x 260 box. */
export interface Place {
  view: View;
  region: string;
  x: number;
  y: number;
}

export const VIEW_BOX = { width: 120, height: 260 } as const;

const ellipse = (cx: number, cy: number, rx: number, ry: number): Shape => ({ kind: "ellipse", cx, cy, rx, ry });
const rect = (x: number, y: number, width: number, height: number, r = 6): Shape => ({
  kind: "rect",
  x,
  y,
  width,
  height,
  r,
});

/** Limbs: [part, shape on the viewer's left, shape on the viewer's right]. */
const LIMBS: ReadonlyArray<readonly [Part, Shape, Shape]> = [
  ["upper_arm", rect(24, 48, 13, 42), rect(83, 48, 13, 42)],
  ["forearm", rect(20, 92, 13, 38), rect(87, 92, 13, 38)],
  ["hand", ellipse(26, 140, 7, 9), ellipse(94, 140, 7, 9)],
  ["thigh", rect(41, 143, 18, 52), rect(61, 143, 18, 52)],
  ["lower_leg", rect(42, 197, 16, 46), rect(62, 197, 16, 46)],
  ["foot", ellipse(50, 250, 9, 6), ellipse(70, 250, 9, 6)],
];

function viewRegions(view: View): Region[] {
  const trunk: ReadonlyArray<readonly [Part, Shape]> = [
    ["head", ellipse(60, 22, 14, 17)],
    ["neck", rect(54, 38, 12, 9, 3)],
    [view === "front" ? "chest" : "upper_back", rect(38, 46, 44, 40, 10)],
    [view === "front" ? "abdomen" : "lower_back", rect(40, 86, 40, 36, 6)],
    [view === "front" ? "groin" : "buttocks", rect(40, 122, 40, 20, 8)],
  ];
  // The viewer's left is the person's right from the front, the person's left from the back.
  const [viewerLeft, viewerRight]: [Side, Side] = view === "front" ? ["right", "left"] : ["left", "right"];
  return [
    ...trunk.map(([part, shape]) => ({ id: `${view}.${part}`, view, part, side: null, shape })),
    ...LIMBS.flatMap(([part, a, b]) => [
      { id: `${view}.${part}.${viewerLeft}`, view, part, side: viewerLeft, shape: a },
      { id: `${view}.${part}.${viewerRight}`, view, part, side: viewerRight, shape: b },
    ]),
  ];
}

export const REGIONS: readonly Region[] = [...viewRegions("front"), ...viewRegions("back")];
const BY_ID = new Map(REGIONS.map((region) => [region.id, region]));

export const regionById = (id: string): Region | undefined => BY_ID.get(id);

export function contains(shape: Shape, x: number, y: number): boolean {
  if (shape.kind === "ellipse") return ((x - shape.cx) / shape.rx) ** 2 + ((y - shape.cy) / shape.ry) ** 2 <= 1;
  return x >= shape.x && x <= shape.x + shape.width && y >= shape.y && y <= shape.y + shape.height;
}

export function centre(shape: Shape): { x: number; y: number } {
  return shape.kind === "ellipse"
    ? { x: shape.cx, y: shape.cy }
    : { x: shape.x + shape.width / 2, y: shape.y + shape.height / 2 };
}

/** The region of `view` under a point, or null off the body. */
export function regionAt(view: View, x: number, y: number): Region | null {
  return REGIONS.find((region) => region.view === view && contains(region.shape, x, y)) ?? null;
}

/** A place at the middle of a region (keyboard choice, or a saved place checked on load). */
export function placeIn(region: Region): Place {
  return { view: region.view, region: region.id, ...centre(region.shape) };
}

/** A stored place, if it still names a known region (anything else is ignored, not trusted). */
export function validPlace(value: unknown): Place | null {
  if (typeof value !== "object" || value === null) return null;
  const { view, region, x, y } = value as Partial<Place>;
  const known = typeof region === "string" ? regionById(region) : undefined;
  if (!known || known.view !== view || typeof x !== "number" || typeof y !== "number") return null;
  return contains(known.shape, x, y) ? { view: known.view, region: known.id, x, y } : placeIn(known);
}
