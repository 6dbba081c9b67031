import { isValidTimeZone } from './clock-state';

/** A short list that covers most audiences; any valid IANA zone in a tile's state is shown too. */
export const COMMON_TIME_ZONES = [
  'UTC',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/Mexico_City',
  'America/New_York',
  'America/Toronto',
  'America/Bogota',
  'America/Sao_Paulo',
  'America/Argentina/Buenos_Aires',
  'Atlantic/Reykjavik',
  'Europe/London',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Rome',
  'Europe/Amsterdam',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Athens',
  'Europe/Kyiv',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Africa/Lagos',
  'Africa/Cairo',
  'Africa/Johannesburg',
  'Africa/Nairobi',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Seoul',
  'Asia/Tokyo',
  'Australia/Perth',
  'Australia/Adelaide',
  'Australia/Sydney',
  'Pacific/Auckland',
] as const;

export interface TimeZoneOption {
  value: string;
  label: string;
  /** Minutes east of UTC at the given instant, for sorting. */
  offsetMinutes: number;
}

/** "UTC+05:30", "UTC−08:00", "UTC±00:00" at the given instant (zones with DST change over the year). */
export function utcOffsetLabel(timeZone: string, at: number): string {
  const minutes = utcOffsetMinutes(timeZone, at);
  if (minutes === 0) return 'UTC±00:00';
  const sign = minutes > 0 ? '+' : '−';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function utcOffsetMinutes(timeZone: string, at: number): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(at))
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/** "America/Argentina/Buenos_Aires" → "Buenos Aires". */
export function placeName(timeZone: string): string {
  if (timeZone === 'UTC') return 'Coordinated Universal Time';
  return (timeZone.split('/').pop() ?? timeZone).replace(/_/g, ' ');
}

/**
 * The picker's options: the common zones, the person's own zone and the tile's current zone,
 * each valid in this browser, without duplicates, west to east.
 */
export function timeZoneOptions({ current, local, at }: { current: string; local: string; at: number }): TimeZoneOption[] {
  const zones = new Set<string>([...COMMON_TIME_ZONES, local, current].filter(isValidTimeZone));
  return [...zones]
    .map((zone) => {
      const offsetMinutes = utcOffsetMinutes(zone, at);
      const own = zone === local ? ' — your time zone' : '';
      return { value: zone, offsetMinutes, label: `(${utcOffsetLabel(zone, at)}) ${placeName(zone)}${own}` };
    })
    .sort((a, b) => a.offsetMinutes - b.offsetMinutes || a.label.localeCompare(b.label));
}
