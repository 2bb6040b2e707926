import { describe, expect, it } from "vitest";
import { A4, makePdf, pdfDate, pdfString } from "./pdf";

const decoder = new TextDecoder("latin1");
// Not a real JPEG: makePdf copies the bytes as they are, which is what this test checks.
const jpeg = (n: number) => Uint8Array.from({ length: 100 + n }, (_, i) => (i * 7 + n) & 0xff);

describe("the PDF writer", () => {
  const pages = [jpeg(1), jpeg(2), jpeg(3)].map((bytes) => ({ jpeg: bytes, width: 1240, height: 1754 }));
  const pdf = makePdf(pages, {
    title: "skinscan：“左肩”的检查记录",
    created: new Date(Date.UTC(2026, 11, 4, 14, 0, 0)),
  });
  const text = decoder.decode(pdf);

  it("has a header, a page tree with every page, and an end marker", () => {
    expect(text.startsWith("%PDF-1.4\n")).toBe(true);
    expect(text.trimEnd().endsWith("%%EOF")).toBe(true);
    expect(text).toContain("/Type /Pages /Kids [4 0 R 7 0 R 10 0 R] /Count 3");
    expect(text.match(/\/Type \/Page /g)).toHaveLength(3);
    expect(text).toContain(`/MediaBox [0 0 ${A4.width.toFixed(2)} ${A4.height.toFixed(2)}]`);
    expect(text).toContain("/Width 1240 /Height 1754 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode");
  });

  it("points the cross-reference table at every object", () => {
    const startxref = Number(/startxref\n(\d+)\n%%EOF/.exec(text)?.[1]);
    expect(text.slice(startxref, startxref + 4)).toBe("xref");
    const [, first, count] = /xref\n(\d+) (\d+)\n/.exec(text.slice(startxref)) ?? [];
    expect([Number(first), Number(count)]).toEqual([0, 13]);
    const entries = text
      .slice(startxref)
      .split("\n")
      .slice(2, 2 + 13);
    expect(entries[0]).toBe("0000000000 65535 f ");
    entries.slice(1).forEach((entry, i) => {
      const offset = Number(entry.slice(0, 10));
      expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
    });
    expect(text).toContain("trailer\n<< /Size 13 /Root 1 0 R /Info 3 0 R >>");
  });

  it("embeds each picture's bytes unchanged, with the right length", () => {
    for (const page of pages) {
      const marker = `/Length ${page.jpeg.length} >>\nstream\n`;
      const at = text.indexOf(marker);
      expect(at).toBeGreaterThan(0);
      const start = at + marker.length;
      expect(pdf.subarray(start, start + page.jpeg.length)).toEqual(page.jpeg);
      expect(text.slice(start + page.jpeg.length, start + page.jpeg.length + 11)).toBe("\nendstream\n");
    }
  });

  it("writes titles in any script, and dates in PDF form", () => {
    expect(pdfString("plain (title)")).toBe("(plain \\(title\\))");
    expect(pdfString("左肩")).toBe("<FEFF5DE680A9>");
    expect(text).toContain("/Title <FEFF");
    expect(pdfDate(new Date(Date.UTC(2026, 11, 4, 14, 0, 9)))).toBe("D:20261204140009Z");
    expect(() => makePdf([], { title: "x", created: new Date() })).toThrow();
  });
});
