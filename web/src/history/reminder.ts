/**
 * "Remind me": an iCalendar file (RFC 5545) with one all-day event for the next check of a spot
 * and an alarm that morning. Made in the page and downloaded: no server, no account, no push.
 */

/** Months until the next check that the person may choose. */
export const REMINDER_MONTHS = [1, 3, 6] as const;
export type ReminderMonths = (typeof REMINDER_MONTHS)[number];

export interface Reminder {
  /** The day of the next check (local date; the event lasts that whole day). */
  day: Date;
  summary: string;
  description: string;
  /** Unique id of the event (stable per spot and day, so a second download updates the first). */
  uid: string;
  /** When the file was made (DTSTAMP). */
  now: Date;
}

/** The day `months` after `from` (end of month clamped: 31 Jan + 1 month = 28/29 Feb). */
export function addMonths(from: Date, months: number): Date {
  const day = from.getDate();
  const target = new Date(from.getFullYear(), from.getMonth() + months, 1);
  const last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
  target.setDate(Math.min(day, last));
  return target;
}

/** TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline. */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/**
 * Fold a content line to at most 75 octets per physical line (RFC 5545 3.1): continuation lines
 * start with one space, and a UTF-8 character is never split.
 */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    const limit = parts.length === 0 ? 75 : 74; // a continuation's leading space is one octet
    if (octets + size > limit) {
      parts.push(current);
      current = "";
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
/** DATE value: 20270304 (local calendar day). */
export const icsDate = (d: Date) => `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
/** DATE-TIME in UTC: 20261204T142000Z. */
export const icsUtc = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/** The .ics text: CRLF line ends, folded lines, escaped text. */
export function reminderIcs({ day, summary, description, uid, now }: Reminder): string {
  const next = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//skinscan//reminder 1.0//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${uid}`,
    `DTSTAMP:${icsUtc(now)}`,
    `DTSTART;VALUE=DATE:${icsDate(day)}`,
    `DTEND;VALUE=DATE:${icsDate(next)}`,
    `SUMMARY:${escapeText(summary)}`,
    `DESCRIPTION:${escapeText(description)}`,
    "TRANSP:TRANSPARENT",
    "BEGIN:VALARM",
    "ACTION:DISPLAY",
    // 09:00 on the day of the check (the trigger counts from the all-day event's start).
    "TRIGGER:PT9H",
    `DESCRIPTION:${escapeText(summary)}`,
    "END:VALARM",
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.map(foldLine).join("\r\n") + "\r\n";
}

/** A stable, opaque event id for a spot and day (the spot's name is not put into the UID). */
export async function reminderUid(spot: string, day: Date): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${spot}\u0000${icsDate(day)}`));
  const hex = [...new Uint8Array(digest)]
    .slice(0, 16)
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  return `${hex}@skinscan.local`;
}
