/**
 * A spot's whole history for the doctor, as a PDF made in this browser: a first page with the
 * spot, the dates, the score over time and a table of every check, then one page per check
 * (photo, heat map, date, band, score, answers), each page numbered. The pages are drawn on
 * canvases (so Chinese needs no embedded font) and written by pdf.ts. Nothing leaves the device.
 */
import { percent } from "../components/format";
import type { Check } from "../history/check";
import { downloadBlob } from "../history/download";
import type { I18n } from "../i18n";
import { canvasPage, makePdf, type PdfPage } from "./pdf";
import { answerLines } from "./answers";
import type { ModelFigures } from "../components/ModelFigures";
import { drawReport, FONT, HEIGHT, MARGIN, paragraph, WIDTH } from "./report";

const INK = "#15202b";
const SOFT = "#4a5866";
const TEAL = "#0f4c5c";
const BAND_COLOURS: Record<Check["risk"], string> = { low: "#1b7f4b", medium: "#a05a00", high: "#b3261e" };

function blankPage(): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2D canvas");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  ctx.textBaseline = "top";
  return { canvas, ctx };
}

/** "skinscan · left shoulder · page 2 of 4" along the bottom edge. */
function footer(canvas: HTMLCanvasElement, text: string): void {
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  ctx.textBaseline = "top";
  ctx.font = `400 20px ${FONT}`;
  ctx.fillStyle = SOFT;
  ctx.textAlign = "right";
  ctx.fillText(text, WIDTH - MARGIN, HEIGHT - MARGIN + 40);
  ctx.textAlign = "left";
}

/** Where the chart lies on the page, and its scales: check date to x, score (0-1) to y. */
interface ChartArea {
  left: number;
  right: number;
  bottom: number;
  x: (at: number) => number;
  y: (p: number) => number;
}

/** Grid lines at every quarter, with their percentages on the left. */
function drawGrid(ctx: CanvasRenderingContext2D, { left, right, y }: ChartArea): void {
  ctx.font = `400 20px ${FONT}`;
  ctx.fillStyle = SOFT;
  ctx.strokeStyle = "#c9d1d8";
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    ctx.beginPath();
    ctx.moveTo(left, y(v));
    ctx.lineTo(right, y(v));
    ctx.stroke();
    ctx.fillText(`${Math.round(v * 100)}%`, left - 10, y(v) - 10);
  }
}

/** The doctor line, labelled in words on the chart. */
function drawDoctorLine(ctx: CanvasRenderingContext2D, threshold: number, i18n: I18n, area: ChartArea): void {
  const { left, right, y } = area;
  ctx.strokeStyle = "#b3261e";
  ctx.setLineDash([10, 8]);
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(left, y(threshold));
  ctx.lineTo(right, y(threshold));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.textAlign = "left";
  ctx.fillStyle = "#b3261e";
  ctx.fillText(i18n.t("compare.doctor_line", { percent: percent(threshold) }), left + 8, y(threshold) - 28);
}

/** The score line and its points, each coloured by its band. */
function drawScoreLine(ctx: CanvasRenderingContext2D, checks: readonly Check[], { x, y }: ChartArea): void {
  ctx.strokeStyle = TEAL;
  ctx.lineWidth = 4;
  ctx.beginPath();
  checks.forEach((check, i) =>
    i === 0
      ? ctx.moveTo(x(check.createdAt), y(check.p_malignant))
      : ctx.lineTo(x(check.createdAt), y(check.p_malignant)),
  );
  ctx.stroke();
  for (const check of checks) {
    ctx.fillStyle = BAND_COLOURS[check.risk];
    ctx.beginPath();
    ctx.arc(x(check.createdAt), y(check.p_malignant), 9, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** Dates under the axis: first and last always, the others where they do not overlap. */
function drawDates(ctx: CanvasRenderingContext2D, checks: readonly Check[], i18n: I18n, area: ChartArea): void {
  const { left, right, bottom, x } = area;
  ctx.fillStyle = SOFT;
  ctx.textAlign = "center";
  let lastEnd = -Infinity;
  checks.forEach((check, i) => {
    const label = i18n.date(check.createdAt, true);
    const width = ctx.measureText(label).width;
    const at = Math.min(Math.max(x(check.createdAt), left + width / 2), right - width / 2);
    if (at - width / 2 < lastEnd + 12 && i !== checks.length - 1) return;
    ctx.fillText(label, at, bottom + 12);
    lastEnd = at + width / 2;
  });
}

/** The score over time: dates on the time axis (spaced by time), the doctor line labelled. */
function drawChart(ctx: CanvasRenderingContext2D, checks: readonly Check[], i18n: I18n, top: number): number {
  const left = MARGIN + 70;
  const right = WIDTH - MARGIN - 20;
  const height = 380;
  const bottom = top + height;
  const first = checks[0]!.createdAt;
  const last = checks.at(-1)!.createdAt;
  const span = Math.max(last - first, 1);
  const x = (at: number) => (checks.length === 1 ? (left + right) / 2 : left + ((at - first) / span) * (right - left));
  const y = (p: number) => bottom - Math.min(Math.max(p, 0), 1) * height;
  const area: ChartArea = { left, right, bottom, x, y };
  drawGrid(ctx, area);
  drawDoctorLine(ctx, checks.at(-1)!.threshold, i18n, area);
  drawScoreLine(ctx, checks, area);
  drawDates(ctx, checks, i18n, area);
  ctx.textAlign = "left";
  ctx.fillStyle = TEAL;
  ctx.fillText(i18n.t("compare.score_line"), left, top - 34);
  return bottom + 60;
}

function drawTable(ctx: CanvasRenderingContext2D, checks: readonly Check[], i18n: I18n, top: number): number {
  const { t, date } = i18n;
  const columns = [MARGIN, MARGIN + 330, MARGIN + 520, MARGIN + 760];
  ctx.font = `700 22px ${FONT}`;
  ctx.fillStyle = INK;
  [t("report.col.date"), t("report.col.score"), t("report.col.band"), t("report.col.answers")].forEach((h, i) =>
    ctx.fillText(h, columns[i]!, top),
  );
  let y = top + 40;
  for (const check of checks) {
    if (y > HEIGHT - MARGIN - 260) {
      ctx.fillStyle = SOFT;
      ctx.font = `400 20px ${FONT}`;
      ctx.fillText(t("report.more", { count: checks.length - checks.indexOf(check) }), MARGIN, y);
      return y + 40;
    }
    ctx.font = `400 22px ${FONT}`;
    ctx.fillStyle = INK;
    ctx.fillText(date(check.createdAt), columns[0]!, y);
    ctx.fillText(percent(check.p_malignant), columns[1]!, y);
    ctx.fillStyle = BAND_COLOURS[check.risk];
    ctx.fillText(t(`risk.${check.risk}`), columns[2]!, y);
    const answers = answerLines(check, i18n);
    const below = paragraph(
      ctx,
      answers.length ? answers.join("; ") : t("report.no_answers"),
      columns[3]!,
      y,
      WIDTH - MARGIN - columns[3]!,
      18,
      SOFT,
    );
    y = Math.max(y + 36, below + 8);
  }
  return y;
}

/** The first page: the spot, its dates, the chart and the table. */
export function drawSummary(spot: string, checks: readonly Check[], i18n: I18n): HTMLCanvasElement {
  const { canvas, ctx } = blankPage();
  const { t, date } = i18n;
  const width = WIDTH - 2 * MARGIN;
  let y = paragraph(ctx, t("report.title", { spot }), MARGIN, MARGIN, width, 46, TEAL, 700);
  y = paragraph(
    ctx,
    t("compare.chart_summary", {
      count: checks.length,
      first: date(checks[0]!.createdAt, true),
      last: date(checks.at(-1)!.createdAt, true),
    }),
    MARGIN,
    y + 6,
    width,
    24,
    SOFT,
  );
  y = paragraph(ctx, t("report.intro"), MARGIN, y + 10, width, 22, INK);
  y = drawChart(ctx, checks, i18n, y + 70);
  y = drawTable(ctx, checks, i18n, y);
  const boxTop = Math.max(y + 20, HEIGHT - MARGIN - 170);
  ctx.fillStyle = "#eef6f8";
  ctx.fillRect(MARGIN, boxTop, width, HEIGHT - MARGIN - boxTop);
  ctx.fillStyle = TEAL;
  ctx.fillRect(MARGIN, boxTop, 8, HEIGHT - MARGIN - boxTop);
  paragraph(ctx, `${t("disclaimer.strong")} ${t("disclaimer.text")}`, MARGIN + 30, boxTop + 20, width - 50, 22);
  return canvas;
}

/** Every page of a spot's report (summary, then the checks oldest first), as PDF pages. */
export async function spotReportPages(
  spot: string,
  checks: readonly Check[],
  i18n: I18n,
  figures: ModelFigures | null,
): Promise<PdfPage[]> {
  const sorted = [...checks].sort((a, b) => a.createdAt - b.createdAt);
  const canvases = [drawSummary(spot, sorted, i18n)];
  for (const check of sorted) canvases.push(await drawReport(check, i18n, figures));
  const pages: PdfPage[] = [];
  for (const [i, canvas] of canvases.entries()) {
    footer(canvas, i18n.t("report.page", { spot, page: i + 1, pages: canvases.length }));
    pages.push(await canvasPage(canvas));
  }
  return pages;
}

function safeName(text: string): string {
  return (
    text
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 40) || "spot"
  );
}

/** Make the spot's PDF and download it; resolves to the number of pages. */
export async function downloadSpotReport(
  spot: string,
  checks: readonly Check[],
  i18n: I18n,
  figures: ModelFigures | null,
): Promise<number> {
  const pages = await spotReportPages(spot, checks, i18n, figures);
  const pdf = makePdf(pages, { title: i18n.t("report.title", { spot }), created: new Date() });
  const day = new Date().toISOString().slice(0, 10);
  downloadBlob(new Blob([pdf as BlobPart], { type: "application/pdf" }), `skinscan-${safeName(spot)}-${day}.pdf`);
  return pages.length;
}
