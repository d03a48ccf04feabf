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
