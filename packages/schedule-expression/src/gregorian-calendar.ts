/** Number of days in `month` (1-12) of `year`, leap years included (2000 and 2024 are leap years, 2100 is not). */
export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; Date.UTC applies the Gregorian leap-year rules for us.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day of the week in EventBridge numbering: 1 = Sunday … 7 = Saturday. */
export function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}
