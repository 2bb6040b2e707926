/**
 * A small PDF writer for reports made in the browser: each page is one JPEG picture (a canvas the
 * page drew, with its text in any script, Chinese included, so no font has to be embedded)
 * filling an A4 page. PDF 1.4, objects and cross-reference table written by hand (ISO 32000-1,
 * 7.5): a catalog, a page tree, and per page a page object, its content stream and its image.
 */

/** A4 in PDF points (1/72 inch). */
export const A4 = { width: 595.28, height: 841.89 } as const;

export interface PdfPage {
  /** JPEG file bytes (baseline or progressive, RGB). */
  jpeg: Uint8Array;
  /** The picture's size in pixels. */
  width: number;
  height: number;
}

export interface PdfInfo {
  title: string;
  /** When the report was made. */
  created: Date;
}

const encoder = new TextEncoder();

/** A PDF text string: plain ASCII escaped, anything else as UTF-16BE with a byte-order mark. */
export function pdfString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  let hex = "FEFF";
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, "0").toUpperCase();
  return `<${hex}>`;
}

/** D:YYYYMMDDHHmmSSZ (UTC). */
export function pdfDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  return `D:${date}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

type PdfWriter = ReturnType<typeof pdfWriter>;

/** Collects the file's parts, and where each numbered object starts (for the cross-reference table). */
function pdfWriter() {
  const chunks: Uint8Array[] = [];
  const offsets: number[] = []; // offsets[n] = byte offset of object n
  let length = 0;
  const write = (part: string | Uint8Array) => {
    const bytes = typeof part === "string" ? encoder.encode(part) : part;
    chunks.push(bytes);
    length += bytes.length;
  };
  const object = (n: number, body: string, stream?: Uint8Array) => {
    offsets[n] = length;
    write(`${n} 0 obj\n${body}\n`);
    if (stream) {
      write("stream\n");
      write(stream);
      write("\nendstream\n");
    }
    write("endobj\n");
  };
  /** The bytes written so far, as one array. */
  const bytes = () => {
    const out = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  };
  return { write, object, offsets, bytes, length: () => length };
}

/** Page i's three objects: 4+3i (page), 5+3i (content), 6+3i (image), the image filling A4. */
function writePage(pdf: PdfWriter, page: PdfPage, i: number): void {
  const [pageId, contentId, imageId] = [4 + 3 * i, 5 + 3 * i, 6 + 3 * i];
  const w = A4.width.toFixed(2);
  const h = A4.height.toFixed(2);
  pdf.object(
    pageId,
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] ` +
      `/Resources << /XObject << /Im0 ${imageId} 0 R >> >> /Contents ${contentId} 0 R >>`,
  );
  const content = encoder.encode(`q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`);
  pdf.object(contentId, `<< /Length ${content.length} >>`, content);
  pdf.object(
    imageId,
    `<< /Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /DeviceRGB ` +
      `/BitsPerComponent 8 /Filter /DCTDecode /Length ${page.jpeg.length} >>`,
    page.jpeg,
  );
}

/** The PDF file's bytes for these pages (at least one). */
export function makePdf(pages: readonly PdfPage[], info: PdfInfo): Uint8Array {
  if (pages.length === 0) throw new Error("a PDF needs at least one page");
  const pdf = pdfWriter();

  // Binary comment after the header (4 bytes >= 128) marks the file as binary for transfer tools.
  pdf.write("%PDF-1.4\n");
  pdf.write(new Uint8Array([0x25, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]));
  // Objects: 1 catalog, 2 page tree, 3 info; page i uses 4+3i (page), 5+3i (content), 6+3i (image).
  const pageIds = pages.map((_, i) => 4 + 3 * i);
  pdf.object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  pdf.object(2, `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`);
  pdf.object(3, `<< /Title ${pdfString(info.title)} /Producer (skinscan) /CreationDate (${pdfDate(info.created)}) >>`);
  pages.forEach((page, i) => writePage(pdf, page, i));
  const count = 4 + 3 * pages.length;
  const xref = pdf.length();
  pdf.write(`xref\n0 ${count}\n0000000000 65535 f \n`);
  for (let n = 1; n < count; n++) pdf.write(`${String(pdf.offsets[n]).padStart(10, "0")} 00000 n \n`);
  pdf.write(`trailer\n<< /Size ${count} /Root 1 0 R /Info 3 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return pdf.bytes();
}

/** A canvas as a PDF page (JPEG at good quality: text stays sharp at 150 dpi). */
export async function canvasPage(canvas: HTMLCanvasElement, quality = 0.92): Promise<PdfPage> {
  const blob = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("JPEG encoding failed"))), "image/jpeg", quality),
  );
  return { jpeg: new Uint8Array(await blob.arrayBuffer()), width: canvas.width, height: canvas.height };
}
