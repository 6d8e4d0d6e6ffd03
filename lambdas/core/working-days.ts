/**
 * Working days for consultation deadlines (protocol.md §5 consultation.open): Monday to Friday, on UTC dates.
 * Public holidays differ from country to country and are not counted as non-working: the exchange cannot know
 * every calendar, and a fixed rule lets both sides compute the same deadline.
 */

const DAY_MS = 86_400_000;

/** The date `n` working days after `date` (a YYYY-MM-DD, itself not counted). */
export function addWorkingDays(date: string, n: number): string {
  let t = Date.parse(`${date}T00:00:00Z`);
  for (let left = n; left > 0;) {
    t += DAY_MS;
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return new Date(t).toISOString().slice(0, 10);
}
