import { enFigures } from "./enFigures";
import { enQuestions } from "./enQuestions";

/**
 * English messages: the reference catalogue. Every string the page shows lives here (and in zh.ts,
 * which must have exactly these keys: the type `Messages` enforces it, and a Vitest test checks it).
 * Placeholders: `{name}`; a message that depends on a number has one form per plural category
 * (Intl.PluralRules: `one`, `other`, ...; `other` always), chosen by its `count` parameter.
 * The questionnaire's messages live in enQuestions.ts, the held-out figures' in enFigures.ts; both are merged in below.
 */
export const en = {
  "app.title": "skinscan — skin-lesion photo check",
  "app.tagline": "Does a skin spot look worrying? A second look, in seconds, with what to do next.",
  "app.footer": "skinscan is open-source research software and has not been clinically validated.",
  "app.sources": "The model learned from: {sources}.",
  "source.kaggle": "ISIC Archive dermoscopy photos (Kaggle “skin-cancer-isic”)",
  "source.ham10000": "HAM10000 dermoscopy photos",
  "source.pad-ufes-20": "PAD-UFES-20 smartphone photos from skin clinics",
  "source.not-skin": "everyday photos (ImageNet samples), as examples of what is not a skin spot",
  "app.api_docs": "API documentation",
  "app.skip": "Skip to the photo check",

  "lang.label": "Language",
  "lang.en": "English",
  "lang.zh": "中文（简体）",

  "disclaimer.label": "Medical disclaimer",
  "disclaimer.strong": "Not a diagnosis.",
  "disclaimer.text":
    "skinscan is a research tool and can be wrong. Only a doctor who examines you can diagnose a skin lesion: if " +
    "a spot is new, changing, bleeding or worries you, see a doctor.",

  "privacy.local":
    "Your saved checks stay in this browser on this device. Nothing from your history is uploaded or kept on the " +
    "server.",
  "privacy.upload": "To analyse a photo, it is sent to the skinscan server, analysed in memory and not kept.",

  "input.heading": "Your photo",
  "input.heading_live": "Live camera",
  "upload.title": "Check a photo of a skin spot",
  "upload.choose": "Choose a photo",
  "upload.choose_another": "Choose another photo",
  "upload.take": "Take a photo",
  "upload.live": "Start live camera",
  "upload.hint": "JPEG, PNG or WebP.",
  "upload.hint_drag": "or drag a photo here, or paste one (Ctrl+V).",
  "upload.drop": "Drop the photo to check it",

  "guide.title": "How to take a good photo",
  "guide.distance": "Distance: hold the camera 10–15 cm from the spot, so it fills the middle of the picture.",
  "guide.light": "Light: use bright, even daylight; no flash, no direct sun, no shadow of the phone.",
  "guide.focus": "Focus: tap the spot on the screen to focus and hold still until it is sharp.",
  "guide.straight": "Straight on: keep the camera parallel to the skin, not at an angle; one spot per photo.",

  "preview.crop": "what the model sees",
  "preview.photo_alt": "Your photo {name}",
  "preview.model_alt": "The square the model analyses",
  "preview.caption":
    "The model looks only at the centred square outlined on your photo. Keep the spot in the middle, in focus " +
    "and well lit.",

  "result.heading": "Result",
  "result.placeholder":
    "Choose a photo or capture a camera frame: the answer appears here, with what it means and what to do.",
  "result.placeholder_refused": "No answer for this photo: see above for what to do, then try another photo.",
  "result.placeholder_error": "No answer yet: see the problem above.",
  "result.analysing": "Analysing the photo…",
  "result.ready": "The answer is ready: {headline}",
  "result.kicker": "What the model suggests",
  "result.headline.low": "Low concern: keep an eye on it",
  "result.headline.medium": "Some concern: have a doctor look at it",
  "result.headline.high": "Higher concern: see a doctor soon",
  "result.todo": "What to do",
  "result.advice.low":
    "The score is below the line from which this page suggests a doctor. Check the spot again in about 3 months, " +
    "and see a doctor sooner if it grows, changes shape or colour, itches or bleeds.",
  "result.advice.medium":
    "The model cannot rule out skin cancer here. Book an appointment with a doctor or dermatologist in the next " +
    "few weeks and show them this spot: only an examination can tell.",
  "result.advice.high":
    "The score is in the model's highest band. Make an appointment with a doctor or dermatologist within the " +
    "next 2 weeks.",
  "result.look.benign": "The photo looks more like the harmless spots the model learned from.",
  "result.look.malignant": "The photo shares features with spots that were skin cancer in the model's training photos.",
  "result.score": "Model score: {percent}",
  "result.frequency": {
    one: "Of 100 spots that got this band in our test photos, about {count} was skin cancer.",
    other: "Of 100 spots that got this band in our test photos, about {count} were skin cancer.",
  },
  "result.frequency_note":
    "But those test photos come mostly from skin clinics, where cancer is far more common than among everyday " +
    "spots, so for an everyday spot the chance is usually lower. Neither this figure nor the score is your " +
    "personal chance of cancer.",
  "result.score_note": "The score is not your personal chance of cancer.",
  "result.threshold":
    "The page suggests a doctor's visit from a score of {percent}: this line is set low on purpose, so that few " +
    "cancers are missed.",
  "result.meta": "Checked {date} · model version {version}",

  "meter.label": "Model score on a scale from 0 to 100",
  "meter.zone.low": "low",
  "meter.zone.medium": "medium",
  "meter.zone.high": "high",
  "meter.threshold": "doctor from {percent}",
  "meter.you": "this photo: {percent}",

  "risk.low": "Low concern",
  "risk.medium": "Some concern",
  "risk.high": "Higher concern",

  "heatmap.title": "Where the model looked",
  "heatmap.show": "Show where the model looked",
  "heatmap.alt": "Heat map over the square the model saw: warmer areas pushed the score up more",
  "heatmap.what":
    "Warmer colours mark the parts of the square that pushed the score up the most. It is not an outline of the " +
    "spot or of any cancer, and a cold map does not mean the spot is safe.",
  "heatmap.none": "Nothing in this square pushed the score up.",
  "heatmap.legend_low": "less",
  "heatmap.legend_high": "more",
  "abcde.open": "Warning signs to look for (ABCDE)",
  "abcde.title": "ABCDE: warning signs of skin cancer",
  "abcde.intro":
    "Look at your spots once a month. See a doctor if a spot shows one of these signs, whatever the score says.",
  "abcde.a": "Asymmetry: the two halves of the spot do not match.",
  "abcde.b": "Border: the edge is ragged, notched or blurred.",
  "abcde.c": "Colour: several colours or shades (brown, black, red, white or blue).",
  "abcde.d": "Diameter: wider than 6 mm (a pencil's eraser), though skin cancers can be smaller.",
  "abcde.e": "Evolving: the spot changes in size, shape or colour, or starts to itch or bleed.",
  "abcde.usual": "usual",
  "abcde.warning": "warning sign",
  "abcde.close": "Close",

  "save.spot": "Spot name (optional)",
  "save.spot_placeholder": "e.g. left shoulder",
  "save.button": "Save to history on this device",
  "save.done": "Saved on this device.",
  "save.failed": "This browser could not save the check (private mode or storage full).",
  "save.place": "Where is the spot? (optional) Tap it on the outline.",
  "save.place_chosen": "Place: {place}",
  "save.place_clear": "Clear the place",
  "bodymap.heading": "Where your spots are",
  "bodymap.front": "Front of the body",
  "bodymap.back": "Back of the body",
  "bodymap.empty": "No spot has a place yet. When you save a check, tap where the spot is on the outline.",
  "bodymap.list": "Spots by place",
  "bodymap.unplaced": "No place given",
  "bodymap.spot_checks": { one: "{count} check, last on {date}", other: "{count} checks, last on {date}" },
  "body.place": "{part} ({view})",
  "body.view.front": "front",
  "body.view.back": "back",
  "body.side.left": "left {part}",
  "body.side.right": "right {part}",
  "body.head": "head",
  "body.neck": "neck",
  "body.chest": "chest",
  "body.abdomen": "belly",
  "body.groin": "hips and groin",
  "body.upper_back": "upper back",
  "body.lower_back": "lower back",
  "body.buttocks": "buttocks",
  "body.upper_arm": "upper arm",
  "body.forearm": "forearm",
  "body.hand": "hand",
  "body.thigh": "thigh",
  "body.lower_leg": "lower leg",
  "body.foot": "foot",

  "history.heading": "Your checks on this device",
  "history.empty": "No saved checks yet. After a check, use “Save to history on this device”.",
  "history.count": { one: "{count} saved check", other: "{count} saved checks" },
  "history.unnamed": "Unnamed spot",
  "history.delete": "Delete",
  "history.report": "Report",
  "history.report_named": "Download a report of the check of {spot} from {date}",
  "history.delete_named": "Delete the check of {spot} from {date}",
  "history.clear": "Delete all checks",
  "history.clear_confirm": "Delete all saved checks from this device? This cannot be undone.",
  "history.cleared": "All saved checks were deleted.",
  "history.deleted": "Deleted the check of {spot} from {date}.",
  "history.undo": "Undo",
  "history.restored": "The check is back in your history.",
  "history.unavailable": "This browser does not allow storing checks (for example in private mode).",
  "history.thumb_alt": "Photo of {spot} from {date}",

  "compare.heading": "Change over time",
  "compare.pick": "Spot to compare",
  "compare.none": "Save two or more checks of the same spot (same name) to see how it changes.",
  "compare.chart": "Model score of {spot} over time",
  "compare.chart_summary": {
    one: "{count} check, from {first} to {last}",
    other: "{count} checks, from {first} to {last}",
  },
  "compare.remind.low": "Check {spot} again around {date}, or sooner if it changes.",
  "compare.remind.doctor": "The last check of {spot} suggested a doctor's visit: do not wait for the next check.",
  "compare.change":
    "A growing score, or a spot that looks different, is a reason to see a doctor, whatever the score says.",

  "export.button": "Download a report for your doctor",
  "export.title": "skinscan report",
  "export.filename": "skinscan-report-{date}.pdf",
  "export.photo": "Photo (the square the model saw)",
  "export.failed": "The report could not be made in this browser.",

  "error.heading": "There is a problem",
  "error.unexpected": "Something went wrong. Please try again.",
  "error.empty_file": "This file is empty. Choose a photo (JPEG, PNG or WebP).",
  "error.too_large": "This photo is too large for the server. Choose a smaller photo.",
  "error.file_too_large":
    "This photo is {size} MB; the limit is {limit} MB. Choose a smaller photo, or take a screenshot of it.",
  "error.upload_too_large": "This photo is too large for the server. Choose a smaller photo.",
  "error.too_many_pixels": "This photo has too many pixels for the server. Choose a smaller photo.",
  "error.not_an_image": "This file is not an image. Choose a photo as JPEG, PNG or WebP.",
  "error.unsupported_type":
    "This kind of image (for example GIF, BMP, TIFF or HEIC) cannot be read. Choose a JPEG, PNG or WebP photo.",
  "error.corrupt_image": "This photo could not be decoded: the file may be damaged. Try another photo.",
  "error.malformed_jpeg":
    "This photo's file is damaged or was saved in an unusual way. Save it again (or take a screenshot) " +
    "and retry, or try another photo.",
  "error.too_many_scans":
    "This photo is saved in a way that takes too long to read. Save it again or take a screenshot of it, then " +
    "try again.",
  "error.image_too_small": "This photo is too small to judge. Take a closer, larger photo of the spot.",
  "error.unreadable_file": "This file could not be read. Try another photo.",
  "error.unreachable":
    "Uploaded photos are analysed on the skinscan server, which cannot be reached now (no connection, or the " +
    "server is down). The live camera still gives readings on this device. Try the upload again when you are back " +
    "online.",
  "error.bad_response": "The server sent an answer this page does not understand.",
  "error.rate_limited": "Too many requests. Wait a minute and try again.",
  "error.decoder_busy": "The server is busy with other photos. Try again in a moment.",
  "error.upload_timeout": "The upload took too long. Check your connection and try again.",
  "error.incomplete_body": "The upload was cut off. Check your connection and try again.",
  "error.server": "The server had a problem analysing this photo. Please try again.",
  "error.http": "The server refused this photo (HTTP {status}).",
  "error.camera_refused":
    "Camera access was refused. Allow the camera for this site in your browser settings, or upload a photo instead.",
  "error.camera_absent": "No camera was found on this device. Upload a photo instead.",
  "error.camera_busy":
    "The camera is in use by another app or could not start. Close other apps using it, or upload a photo instead.",
  "error.camera_failed": "The camera could not be started. Upload a photo instead.",
  "error.camera_insecure": "The live camera needs a secure (https://) connection. You can still upload a photo.",
  "error.upload_instead": "Upload a photo instead",
  "error.choose_another": "Choose another photo",
  "error.take_closer": "Take a closer photo",

  "refusal.heading": "This photo cannot be judged",
  "refusal.not_a_lesion": "This does not look like a close-up of a spot on the skin.",
  "refusal.photo_unusable": "This photo is not good enough to judge.",
  "refusal.retry": "Try another photo",
  "reason.out_of_focus": "It is out of focus.",
  "reason.too_dark": "It is too dark.",
  "reason.overexposed": "It is too bright (burnt out).",
  "reason.low_contrast": "The spot does not stand out from the skin.",
  "reason.too_small": "The photo is too small.",
  "reason.not_a_lesion": "No skin spot was found close up.",
  "hint.out_of_focus": "Hold still and tap the spot on the screen to focus.",
  "hint.too_dark": "Move to more light, such as near a window in daylight.",
  "hint.overexposed": "Avoid direct sun, flash and glare.",
  "hint.low_contrast": "Move closer so the spot fills the square.",
  "hint.too_small": "Use a larger photo, or move closer.",
  "hint.not_a_lesion": "Point the camera at one spot on the skin, close up.",

  "live.view": "Live camera view",
  "live.captured_alt": "The captured frame",
  "live.starting": "Starting the camera…",
  "live.loading": "Loading the model into this browser…",
  "live.loading_progress": "Loading the model into this browser ({loaded} of {total} MB)…",
  "live.model_failed": "The in-browser model could not run here; Capture still asks the server.",
  "live.reading": "Live reading",
  "live.captured": "Captured frame",
  "live.score": "model score",
  "live.waiting": "Reading…",
  "live.capture": "Capture & analyse",
  "live.back": "Back to live view",
  "live.stop": "Stop camera",
  "live.on_device": "Computed on this device",
  "live.sr_band": "Live reading: {band}",
  "live.hint":
    "Hold the phone 10–15 cm from the spot, keep it inside the square, in focus and in good light. Live readings " +
    "are computed on this device; Capture sends the frame to the server for the full answer.",
  "live.hold_steady": "Hold steady…",
  "live.refused": "This view cannot be judged",
  "live.heatmap_show": "Show where the model looks",
  "live.heatmap_alt": "Heat map over the square: warmer areas push the score up more",
  "live.captured_refused": "The captured frame cannot be judged",
  "offline.notice":
    "You are offline. Live readings and your saved checks work on this device; uploading a photo needs the " +
    "skinscan server.",

  "backup.heading": "Backup",
  "backup.explain":
    "Save all your checks (photos, dates, answers) in one file that you keep, and restore it here or on another " +
    "device. The file holds health data: keep it somewhere private.",
  "backup.export": "Export history",
  "backup.import": "Import a history file",
  "backup.exported": { one: "{count} check was saved to the file.", other: "{count} checks were saved to the file." },
  "backup.imported": { one: "{count} check was restored.", other: "{count} checks were restored." },
  "backup.imported_none": "No new checks: everything in the file was already here.",
  "backup.skipped": { one: "{count} was already here.", other: "{count} were already here." },
  "backup.error.too_large": "This file is too large to be a skinscan history.",
  "backup.error.not_json": "This file is not a skinscan history: it is not readable JSON.",
  "backup.error.not_backup": "This file is not a skinscan history file.",
  "backup.error.newer_version":
    "This history file was made by a newer version of skinscan. Update the page, then try again.",
  "backup.error.unknown_version": "This history file has a version this page does not know.",
  "backup.error.too_many": "This file holds more checks than a history can keep.",
  "backup.error.invalid_check": "A check in this file has missing or impossible values.",
  "backup.error.duplicate_id": "Two checks in this file have the same number: the file is damaged.",
  "backup.error.checksum":
    "A check in this file was changed or damaged after it was exported (its checksum does not match).",
  "backup.error.bad_image": "A photo in this file is not a readable image.",
  "backup.error.storage": "This browser could not store the checks.",
  "backup.error.where": "(Check number {number} in the file.)",
  "backup.error.nothing": "Nothing was imported; your history is unchanged.",

  "reminder.label": "Remind me to check this spot again in",
  "reminder.months": { one: "{count} month", other: "{count} months" },
  "reminder.button": "Remind me (calendar file)",
  "reminder.summary": "Check the skin spot “{spot}” again (skinscan)",
  "reminder.description":
    "Time to look at {spot} again: take a new photo with skinscan in the same light and from the same distance, " +
    "and compare it with the last one. See a doctor sooner if the spot grows, changes, bleeds or worries you.",
  "reminder.done": "A calendar file for {date} was downloaded: open it to add the reminder to your calendar.",

  "compare.doctor_line": "Doctor line ({percent}): at or above it, see a doctor",
  "compare.doctor_line_short": "Doctor line ({percent})",
  "compare.score_line": "Model score of this spot",
  "compare.axis_date": "Date of the check",
  "compare.photos": "Photos side by side, oldest first",
  "compare.earlier": "Earlier check",
  "compare.later": "Later check",
  "compare.zoom": "Zoom",
  "compare.zoom_in": "Zoom in on the photo from {date}",
  "compare.zoom_close": "Close",
  "compare.zoomed_alt": "Photo of {spot} from {date}, enlarged",
  "compare.retake": "Check this spot again with the live camera",

  "ghost.label": "The last photo of {spot} ({date}) is shown faintly over the camera: line the spot up with it.",
  "ghost.toggle": "Show the last photo as a guide",

  "export.spot_button": "Download this spot's history for your doctor (PDF)",
  "export.spot_done": {
    one: "A PDF with {count} page was downloaded.",
    other: "A PDF with {count} pages was downloaded.",
  },

  "report.title": "skinscan: history of “{spot}”",
  "report.intro":
    "Every saved check of this spot, oldest first: the score over time, a table, then one page per check with the " +
    "photo the model saw and its heat map.",
  "report.col.date": "Date",
  "report.col.score": "Score",
  "report.col.band": "Band",
  "report.col.answers": "Answers given",
  "report.no_answers": "none",
  "report.more": {
    one: "{count} more check on the following pages.",
    other: "{count} more checks on the following pages.",
  },
  "report.page": "skinscan · {spot} · page {page} of {pages}",
  "report.answers": "Answers given:",
  "report.q.age": "Age",
  "report.q.grown": "Has it grown",
  "report.q.changed": "Has it changed",
  "report.q.bleeds": "Does it bleed",
  "report.q.itches": "Does it itch",
  "report.q.hurts": "Does it hurt",
  "report.q.raised": "Is it raised",
  "report.a.yes": "yes",
  "report.a.no": "no",
  "report.a.unknown": "don't know",
  ...enQuestions,
  ...enFigures,
} as const;

/** Number-dependent wording: one form per plural category of the language (Intl.PluralRules), `other` always. */
export type Plural = Readonly<Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }>;

export type MessageKey = keyof typeof en;
/** A catalogue: exactly the English keys; a plain string where English has one, plural forms where it has them. */
export type Messages = { readonly [K in MessageKey]: (typeof en)[K] extends string ? string : Plural };
