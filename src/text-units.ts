const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** A number of bytes in decimal units: `512 B`, `12.3 kB`, `1.00 GB`. */
export function formatBytes(bytes: number): string {
  let unit = 0;
  let value = bytes;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value.toFixed(value < 10 && unit >= 3 ? 2 : 1)} ${BYTE_UNITS[unit]}`;
}

/** A duration: `0.4s`, `9.5s` or `3s` under ten seconds, then `45s`, `1m05s`, `2h03m`. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return Number.isInteger(seconds) ? `${seconds}s` : `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
