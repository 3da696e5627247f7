/**
 * How the console shows numbers and times. Pure: the browser tests format the API's own numbers
 * with it and compare them with what the page shows.
 */

/** Up to 6 significant digits, never exponent notation for the prices and volumes of real markets. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return value.toFixed(0);
  if (magnitude === 0) return "0";
  const decimals = Math.min(10, Math.max(0, 5 - Math.floor(Math.log10(magnitude))));
  return Number(value.toFixed(decimals)).toString();
}

/** `2024-03-01 14:30` in UTC (candle times are epoch milliseconds, and markets speak UTC). */
export function formatTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

export function formatMs(ms: number): string {
  return ms < 10
    ? `${ms.toFixed(2)} ms`
    : ms < 1_000
      ? `${ms.toFixed(0)} ms`
      : `${(ms / 1_000).toFixed(2)} s`;
}
