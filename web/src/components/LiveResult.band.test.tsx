import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { EMPTY_STEADY } from "../camera/steady";
import { LiveResult } from "./LiveResult";

const stats = { count: 9, frameMs: 30, preprocessMs: 3, modelMs: 25, rate: 15 };

describe("LiveResult exposes the steady band and p_dermoscopic (issue 17)", () => {
  it("shows the hysteresis band and model 3's p_dermoscopic as data attributes", () => {
    const steady = {
      ...EMPTY_STEADY,
      state: "reading" as const,
      p: 0.3,
      settled: true,
      label: "benign" as const,
      band: "medium" as const,
      pDermoscopic: 0.8,
    };
    render(<LiveResult phase="live" steady={steady} stats={stats} captured={null} progress={null} />);
    const live = screen.getByTestId("live-result");
    expect(live).toHaveAttribute("data-band", "medium");
    expect(live).toHaveAttribute("data-p-dermoscopic", "0.8");
  });

  it("has no band before the reading settles, and no p_dermoscopic for a model without it", () => {
    render(
      <LiveResult
        phase="live"
        steady={{ ...EMPTY_STEADY, state: "reading", p: 0.3 }}
        stats={stats}
        captured={null}
        progress={null}
      />,
    );
    const live = screen.getByTestId("live-result");
    expect(live).toHaveAttribute("data-band", "");
    expect(live).not.toHaveAttribute("data-p-dermoscopic");
  });
});
