import { describe, expect, it } from "vitest";
import { addMonths, escapeText, foldLine, icsDate, icsUtc, reminderIcs, reminderUid } from "./reminder";

const encoder = new TextEncoder();

describe("reminder .ics (RFC 5545)", () => {
  const ics = reminderIcs({
    day: new Date(2027, 2, 4),
    summary: "Check the skin spot “left shoulder; back, upper” again (skinscan)",
    description: "Line one\nline two, with a comma; a semicolon and a back\\slash. ".repeat(3),
    uid: "0123456789abcdef@skinscan.local",
    now: new Date(Date.UTC(2026, 11, 4, 14, 20, 5)),
  });
  const physical = ics.split("\r\n");
  // Unfold: a CRLF followed by one space continues the line.
  const logical = ics.replace(/\r\n /g, "").split("\r\n");

  it("is one VCALENDAR with one VEVENT holding a VALARM, with CRLF line ends", () => {
    expect(ics.endsWith("\r\n")).toBe(true);
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(logical.filter((l) => l.startsWith("BEGIN:") || l.startsWith("END:"))).toEqual([
      "BEGIN:VCALENDAR",
      "BEGIN:VEVENT",
      "BEGIN:VALARM",
      "END:VALARM",
      "END:VEVENT",
      "END:VCALENDAR",
    ]);
    expect(logical).toContain("VERSION:2.0");
    expect(logical.some((l) => l.startsWith("PRODID:"))).toBe(true);
  });

  it("has UID, DTSTAMP in UTC, an all-day DTSTART/DTEND and a display alarm that morning", () => {
    expect(logical).toContain("UID:0123456789abcdef@skinscan.local");
    expect(logical).toContain("DTSTAMP:20261204T142005Z");
    expect(logical).toContain("DTSTART;VALUE=DATE:20270304");
    expect(logical).toContain("DTEND;VALUE=DATE:20270305");
    expect(logical).toContain("ACTION:DISPLAY");
    expect(logical).toContain("TRIGGER:PT9H");
  });

  it("escapes text and folds lines at 75 octets without splitting a character", () => {
    const summary = logical.find((l) => l.startsWith("SUMMARY:"));
    expect(summary).toBe("SUMMARY:Check the skin spot “left shoulder\\; back\\, upper” again (skinscan)");
    const description = logical.find((l) => l.startsWith("DESCRIPTION:Line"));
    expect(description).toContain("Line one\\nline two\\, with a comma\\; a semicolon and a back\\\\slash.");
    expect(physical.length).toBeGreaterThan(logical.length); // the description was folded
    for (const line of physical) expect(encoder.encode(line).length).toBeLessThanOrEqual(75);
  });

  it("folds Chinese text on character boundaries", () => {
    const line = `SUMMARY:${"再次检查皮肤斑点".repeat(6)}`;
    const folded = foldLine(line);
    const parts = folded.split("\r\n");
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(encoder.encode(part).length).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(" "))).toBe(true);
    expect(folded.replace(/\r\n /g, "")).toBe(line);
    expect(foldLine("SHORT:1")).toBe("SHORT:1");
  });

  it("escapes backslash first", () => {
    expect(escapeText("a\\;b,c\nd")).toBe("a\\\\\\;b\\,c\\nd");
  });

  it("adds months without running over the end of a month", () => {
    expect(icsDate(addMonths(new Date(2026, 0, 31), 1))).toBe("20260228");
    expect(icsDate(addMonths(new Date(2026, 7, 31), 6))).toBe("20270228");
    expect(icsDate(addMonths(new Date(2026, 11, 4), 3))).toBe("20270304");
    expect(icsUtc(new Date(Date.UTC(2027, 0, 2, 3, 4, 5)))).toBe("20270102T030405Z");
  });

  it("makes a stable UID that does not contain the spot's name", async () => {
    const day = new Date(2027, 2, 4);
    const uid = await reminderUid("left shoulder", day);
    expect(uid).toMatch(/^[0-9a-f]{32}@skinscan\.local$/);
    expect(await reminderUid("left shoulder", day)).toBe(uid);
    expect(await reminderUid("back", day)).not.toBe(uid);
  });
});
