/**
 * The one-page report for a doctor, drawn in the browser on an A4-shaped canvas and saved as PNG:
 * the square the model saw, the heat map, the answer in words, the score, the date, the model
 * version and the disclaimer. Nothing leaves the device.
 */
import { drawEvidence, loadImage } from "../components/heatmap";
import { join, percent, shortVersion } from "../components/format";
import { bandCount, frequencyText, type ModelFigures } from "../components/ModelFigures";
import type { Check } from "../history/check";
import type { I18n } from "../i18n";
import { downloadBlob } from "../history/download";
import { answerLines } from "./answers";
import { canvasPage, makePdf } from "./pdf";

export const WIDTH = 1240; // A4 at 150 dpi
export const HEIGHT = 1754;
export const MARGIN = 90;
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
const INK = "#15202b";
const SOFT = "#4a5866";

const CJK = "\\u2e80-\\u9fff\\uff00-\\uffef";
/** CJK punctuation that must stay on the line of the character before it. */
const CJK_CLOSING = "\\u3000-\\u303f\\uff0c\\uff1a\\uff1b\\uff01\\uff1f";
const BREAKABLE = new RegExp(`[${CJK}][${CJK_CLOSING}]?|[^\\s${CJK}]+\\s*|\\s+`, "g");

/** Words (Latin scripts) and single characters (CJK) as line-break opportunities. */
export function breakable(text: string): string[] {
  return text.match(BREAKABLE) ?? [];
}

/** Fill `text` wrapped to `width`; returns the y below it. */
export function paragraph(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  width: number,
  size: number,
  colour = INK,
  weight = 400,
): number {
  ctx.font = `${weight} ${size}px ${FONT}`;
  ctx.fillStyle = colour;
  const lineHeight = Math.round(size * 1.4);
  let line = "";
  for (const piece of breakable(text)) {
    if (line && ctx.measureText((line + piece).trimEnd()).width > width) {
      ctx.fillText(line.trimEnd(), x, y);
      y += lineHeight;
      line = piece.trimStart();
    } else {
      line += piece;
    }
  }
  if (line.trim()) {
    ctx.fillText(line.trimEnd(), x, y);
    y += lineHeight;
  }
  return y;
}

async function drawPictures(ctx: CanvasRenderingContext2D, check: Check, i18n: I18n, y: number): Promise<number> {
  const side = (WIDTH - 2 * MARGIN - 40) / 2;
  const photo = check.thumbnail ? await loadImage(check.thumbnail).catch(() => null) : null;
  ctx.fillStyle = "#e5e9ec";
  ctx.fillRect(MARGIN, y, side, side);
  if (photo) ctx.drawImage(photo, MARGIN, y, side, side);
  let below = paragraph(ctx, i18n.t("export.photo"), MARGIN, y + side + 24, side, 22, SOFT);
  if (check.evidence) {
    const x = MARGIN + side + 40;
    ctx.fillStyle = INK;
    ctx.fillRect(x, y, side, side);
    drawEvidence(ctx, check.evidence, photo, x, y, side);
    const caption = join(i18n.lang, [i18n.t("heatmap.title"), i18n.t("heatmap.what")], true);
    below = Math.max(below, paragraph(ctx, caption, x, y + side + 24, side, 20, SOFT));
  }
  return below + 40;
}

function drawAnswer(
  ctx: CanvasRenderingContext2D,
  check: Check,
  i18n: I18n,
  figures: ModelFigures | null,
  y: number,
): number {
  const { t } = i18n;
  const width = WIDTH - 2 * MARGIN;
  y = paragraph(ctx, t(`result.headline.${check.risk}`), MARGIN, y, width, 40, INK, 700);
  y = paragraph(ctx, t(`result.advice.${check.risk}`), MARGIN, y + 6, width, 26);
  y = paragraph(ctx, t("result.score", { percent: percent(check.p_malignant) }), MARGIN, y + 18, width, 28, INK, 700);
  // The measured frequency for the check's band and its caveat: one paragraph, one weight.
  const frequency = frequencyText(i18n, bandCount(figures, check.risk, check.model.version));
  y = paragraph(ctx, frequency, MARGIN, y, width, 24);
  return paragraph(ctx, t("result.threshold", { percent: percent(check.threshold) }), MARGIN, y, width, 22, SOFT);
}

/**
 * Draw the report for a check; resolves to the canvas. `figures`: the loaded model's measurements
 * (the "of 100 spots that got this band" sentence is left out without them).
 */
export async function drawReport(check: Check, i18n: I18n, figures: ModelFigures | null): Promise<HTMLCanvasElement> {
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2D canvas");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  ctx.textBaseline = "top";
  const width = WIDTH - 2 * MARGIN;
  let y = paragraph(ctx, i18n.t("export.title"), MARGIN, MARGIN, width, 48, "#0f4c5c", 700);
  const meta = i18n.t("result.meta", { date: i18n.date(check.createdAt), version: shortVersion(check.model.version) });
  y = paragraph(ctx, check.spot ? `${check.spot} · ${meta}` : meta, MARGIN, y + 4, width, 24, SOFT);
  y = await drawPictures(ctx, check, i18n, y + 30);
  y = drawAnswer(ctx, check, i18n, figures, y);
  const answers = answerLines(check, i18n);
  if (answers.length)
    y = paragraph(ctx, `${i18n.t("report.answers")} ${answers.join("; ")}`, MARGIN, y + 12, width, 22);
  const boxTop = Math.max(y + 30, HEIGHT - MARGIN - 200);
  ctx.fillStyle = "#eef6f8";
  ctx.fillRect(MARGIN, boxTop, width, HEIGHT - MARGIN - boxTop);
  ctx.fillStyle = "#0f4c5c";
  ctx.fillRect(MARGIN, boxTop, 8, HEIGHT - MARGIN - boxTop);
  paragraph(
    ctx,
    join(i18n.lang, [i18n.t("disclaimer.strong"), i18n.t("disclaimer.text")]),
    MARGIN + 30,
    boxTop + 24,
    width - 50,
    24,
  );
  return canvas;
}

/** Draw the report and hand it to the browser as a one-page PDF download. */
export async function downloadReport(check: Check, i18n: I18n, figures: ModelFigures | null): Promise<void> {
  const canvas = await drawReport(check, i18n, figures);
  const pdf = makePdf([await canvasPage(canvas)], { title: i18n.t("export.title"), created: new Date() });
  const day = new Date(check.createdAt).toISOString().slice(0, 10);
  downloadBlob(new Blob([pdf as BlobPart], { type: "application/pdf" }), i18n.t("export.filename", { date: day }));
}
