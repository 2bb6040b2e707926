import { useId, useState } from "react";
import { useT } from "../i18n";
import { type Check, suggestsDoctor } from "./check";
import { downloadBlob } from "./download";
import { REMINDER_MONTHS, type ReminderMonths, addMonths, icsDate, reminderIcs, reminderUid } from "./reminder";

/**
 * "Remind me": the person picks when (in 1, 3 or 6 months) and gets a calendar
 * file (.ics) to open; no server, no account. A spot whose last check suggested a doctor defaults
 * to one month (the doctor's visit itself should not wait for it).
 */
export function ReminderControls({ spot, last }: { spot: string; last: Check }) {
  const { t, date } = useT();
  const id = useId();
  const [months, setMonths] = useState<ReminderMonths>(suggestsDoctor(last) ? 1 : 3);
  const [done, setDone] = useState<Date | null>(null);
  const today = new Date();
  const day = addMonths(today, months);

  const download = async () => {
    const text = reminderIcs({
      day,
      summary: t("reminder.summary", { spot }),
      description: t("reminder.description", { spot }),
      uid: await reminderUid(spot, day),
      now: new Date(),
    });
    downloadBlob(new Blob([text], { type: "text/calendar;charset=utf-8" }), `skinscan-reminder-${icsDate(day)}.ics`);
    setDone(day);
  };

  return (
    <div className="reminder">
      <label htmlFor={`${id}-months`}>{t("reminder.label")}</label>
      <div className="reminder__row">
        <select
          id={`${id}-months`}
          value={months}
          onChange={(event) => setMonths(Number(event.currentTarget.value) as ReminderMonths)}
        >
          {REMINDER_MONTHS.map((m) => (
            <option key={m} value={m}>
              {t("reminder.months", { count: m })} · {date(addMonths(today, m), true)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button button--secondary"
          data-testid="reminder"
          onClick={() => void download()}
        >
          {t("reminder.button")}
        </button>
      </div>
      <p role="status" className="reminder__status">
        {done ? t("reminder.done", { date: date(done, true) }) : ""}
      </p>
    </div>
  );
}
