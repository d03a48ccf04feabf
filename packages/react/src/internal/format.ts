const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });

/** "14:05" in the user's locale. */
export function formatTime(iso: string): string {
  return time.format(new Date(iso));
}

/** "Tuesday, November 24, 2026" in the user's locale. */
export function formatDay(iso: string): string {
  return day.format(new Date(iso));
}

/** Whether two instants fall on the same local day. */
export function sameDay(a: string, b: string): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** "1.4 MB": bytes in units of 1,024, one decimal below ten. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit > 0 && value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

const when = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/** "Dec 2, 14:05" in the user's locale: an instant within the coming days (a ban's end). */
export function formatWhen(iso: string): string {
  return when.format(new Date(iso));
}
