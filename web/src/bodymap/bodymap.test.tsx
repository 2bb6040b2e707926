import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Check } from "../history/check";
import { I18nProvider } from "../i18n";
import { BodyMapPanel } from "./BodyMapPanel";
import { PlacePicker } from "./PlacePicker";
import { centre, placeIn, REGIONS, regionAt, regionById, validPlace } from "./regions";
import { mappedSpots } from "./spots";

const check = (id: number, spot: string, region: string | null, risk: Check["risk"] = "low"): Check => ({
  id,
  createdAt: 1_700_000_000_000 + id * 86_400_000,
  spot,
  thumbnail: null,
  evidence: null,
  label: risk === "low" ? "benign" : "malignant",
  p_malignant: risk === "low" ? 0.1 : 0.5,
  risk,
  threshold: 0.25,
  model: { name: "skinscan", version: "3.0.0" },
  ...(region ? { place: placeIn(regionById(region)!) } : {}),
});

describe("body regions", () => {
  it("every region's middle lies in that region and no other of its view", () => {
    for (const region of REGIONS) {
      const { x, y } = centre(region.shape);
      expect(regionAt(region.view, x, y)?.id, region.id).toBe(region.id);
    }
    expect(new Set(REGIONS.map((r) => r.id)).size).toBe(REGIONS.length);
  });

  it("front and back have the person's sides mirrored", () => {
    expect(regionAt("front", 30, 170)).toBeNull(); // beside the thighs: off the body
    expect(regionAt("front", 50, 160)?.id).toBe("front.thigh.right");
    expect(regionAt("back", 50, 160)?.id).toBe("back.thigh.left");
  });

  it("trusts a stored place only when it names a known region of its view", () => {
    expect(validPlace({ view: "front", region: "front.head", x: 60, y: 22 })).toEqual({
      view: "front",
      region: "front.head",
      x: 60,
      y: 22,
    });
    expect(validPlace({ view: "back", region: "front.head", x: 60, y: 22 })).toBeNull();
    expect(validPlace({ view: "front", region: "<script>", x: 1, y: 1 })).toBeNull();
    expect(validPlace("front.head")).toBeNull();
    // A point outside its region is moved to the region's middle.
    expect(validPlace({ view: "front", region: "front.head", x: 0, y: 0 })).toEqual(placeIn(regionById("front.head")!));
  });
});

describe("body map", () => {
  const checks = [
    check(1, "mole A", "front.chest"),
    check(2, "mole A", null, "medium"),
    check(3, "mole B", "back.thigh.left"),
    check(4, "", null),
  ];

  it("groups checks by spot, each at its latest place", () => {
    const spots = mappedSpots(checks);
    expect(spots.map((s) => [s.name, s.checks.length, s.place?.region ?? null])).toEqual([
      ["mole A", 2, "front.chest"],
      ["mole B", 1, "back.thigh.left"],
      ["", 1, null],
    ]);
  });

  it.each([
    ["en", "chest (front)", "left thigh (back)", "No place given"],
    ["zh", "胸部（正面）", "左大腿（背面）", "未标位置"],
  ] as const)("places and lists each spot by place (%s)", (lang, chest, thigh, none) => {
    render(
      <I18nProvider lang={lang}>
        <BodyMapPanel checks={checks} />
      </I18nProvider>,
    );
    const map = screen.getByTestId("body-map");
    expect(
      within(map)
        .getAllByTestId("body-marker")
        .map((m) => m.getAttribute("data-region")),
    ).toEqual(["front.chest", "back.thigh.left"]);
    const places = within(map).getAllByTestId("body-place");
    expect(places.map((p) => p.getAttribute("data-region"))).toEqual(["front.chest", "back.thigh.left", ""]);
    expect(places[0]).toHaveTextContent(chest);
    expect(places[0]).toHaveTextContent("mole A");
    expect(places[1]).toHaveTextContent(thigh);
    expect(places[2]).toHaveTextContent(none);
  });

  it("places a spot with the keyboard: a region is a button", async () => {
    let chosen: unknown = null;
    render(<PlacePicker place={null} onChange={(place) => (chosen = place)} />);
    const head = screen.getAllByRole("button", { name: "head (front)" })[0]!;
    head.focus();
    await userEvent.keyboard("{Enter}");
    expect(chosen).toEqual(placeIn(regionById("front.head")!));
  });
});
