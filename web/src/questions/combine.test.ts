import { describe, expect, it } from "vitest";
import fixture from "./parity.fixture.json";
import { type Answers, anyAnswer, combine, contributions, parseQuestionnaire, strongest } from "./combine";

const spec = parseQuestionnaire(fixture.questionnaire)!;

describe("combine (parity with src/skinscan/questionnaire.py)", () => {
  it("reproduces every case the Python module computed, to 1e-6", () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(20);
    for (const c of fixture.cases) {
      const got = combine(c.p_photo, c.answers as Answers, spec);
      expect(Math.abs(got - c.p)).toBeLessThan(1e-6);
    }
  });

  it("returns the photo's p itself when no answer moves it", () => {
    for (const p of [0, 1e-9, 0.2267, 0.5, 0.73123456789, 1]) {
      expect(combine(p, {}, spec)).toBe(p);
      expect(combine(p, { grown: "unknown", bleeds: "unknown", raised: "yes" }, spec)).toBe(p); // raised: unused
      expect(combine(p, { grown: "yes" }, null)).toBe(p);
    }
  });

  it("names the answers that moved it most, in its direction", () => {
    const answers: Answers = { grown: "yes", changed: "yes", itches: "no", age: 80 };
    expect(strongest(answers, spec, 1)).toEqual(["changed", "grown", "age"]);
    expect(strongest(answers, spec, -1)).toEqual(["itches"]);
    expect(Object.keys(contributions({ raised: "yes" }, spec))).toEqual([]);
    expect(anyAnswer({ grown: "unknown" })).toBe(false);
    expect(anyAnswer({ age: 40 })).toBe(true);
  });
});
