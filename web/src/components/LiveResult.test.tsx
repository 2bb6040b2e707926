import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { EMPTY_STEADY, type Steady } from "../camera/steady";
import { parseCard } from "../inference/card";
import { LiveResult } from "./LiveResult";

const card = parseCard({
  name: "skinscan",
  version: "3.0.0",
  input: { name: "image", size: 224, dtype: "uint8", layout: "NHWC", crop: "centre-square" },
  labels: ["benign", "malignant"],
  threshold: 0.25,
  risk_bands: { low: 0, medium: 0.25, high: 0.8 },
});

const stats = { count: 9, frameMs: 52.3, preprocessMs: 3.1, modelMs: 40.2, rate: 12 };
const show = (steady: Partial<Steady>, phase: "live" | "frozen" = "live") =>
  render(
    <LiveResult
      card={card}
      phase={phase}
      steady={{ ...EMPTY_STEADY, ...steady }}
      stats={stats}
      captured={null}
      progress={null}
    />,
  );

describe("LiveResult", () => {
  it("asks to hold steady, with no label, until the readings settle", () => {
    show({ state: "reading", p: 0.3, settled: false, label: null });
    const live = screen.getByTestId("live-result");
    expect(live).toHaveAttribute("data-state", "reading");
    expect(live).toHaveAttribute("data-label", "");
    expect(screen.getByTestId("hold-steady")).toHaveTextContent(/hold steady/i);
  });

  it("shows the settled band, worded as an upload's answer, and the smoothed score", () => {
    show({ state: "reading", p: 0.3, settled: true, label: "malignant" });
    const live = screen.getByTestId("live-result");
    expect(live).toHaveAttribute("data-label", "malignant");
    expect(live).toHaveAttribute("data-p-malignant", "0.3");
    expect(live).toHaveTextContent("30%");
    expect(screen.getByTestId("live-band")).toHaveTextContent("Some concern: have a doctor look at it");
    expect(live).not.toHaveTextContent(/readings\/s|ms per frame/);
    expect(screen.queryByTestId("hold-steady")).not.toBeInTheDocument();
  });

  it("shows a refusal's hints and no score", () => {
    show({ state: "refused", refusal: { code: "photo_unusable", reasons: ["too_dark"] } });
    const live = screen.getByTestId("live-result");
    expect(live).toHaveAttribute("data-state", "refused");
    expect(live).not.toHaveAttribute("data-p-malignant");
    expect(live).toHaveTextContent(/more light/i);
    expect(live).not.toHaveTextContent("%");
  });

  it("shows nothing smoothed while a captured frame is being read", () => {
    show({ state: "reading", p: 0.3, settled: true, label: "benign" }, "frozen");
    expect(screen.getByTestId("live-result")).not.toHaveAttribute("data-p-malignant");
  });
});
