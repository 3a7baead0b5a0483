/**
 * The one way a metric or score is printed for people: four decimals
 * always, so a perfect `1.0000` lines up beside `0.9737` instead of reading
 * as a different kind of number (`1`).
 */

/** Four decimals; `—` for a value that is missing or not finite. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return value.toFixed(4);
}
