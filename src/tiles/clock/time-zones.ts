import { isValidTimeZone } from './clock-state';

/**
 * Every zone this browser knows (`Intl.supportedValuesOf`, about 420), plus UTC, which it
 * does not list. A browser without it gets UTC and the zones passed in.
 */
export function allTimeZones(): string[] {
  const supported = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...supported];
}

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

/** One formatter per zone, kept: building them is the slow part (about 420 zones in the picker). */
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

export function utcOffsetMinutes(timeZone: string, at: number): number {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, formatter);
  }
  const name = formatter.formatToParts(new Date(at)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/** Browsers list some zones under their old names (ICU keeps them); people search for the new. */
const RENAMED: Record<string, string> = {
  Calcutta: 'Kolkata',
  Katmandu: 'Kathmandu',
  Saigon: 'Ho Chi Minh City',
  Rangoon: 'Yangon',
  Kiev: 'Kyiv',
  Godthab: 'Nuuk',
  Asmera: 'Asmara',
  Faeroe: 'Faroe',
};

/** "America/Argentina/Buenos_Aires" → "Buenos Aires"; "Asia/Calcutta" → "Kolkata". */
export function placeName(timeZone: string): string {
  if (timeZone === 'UTC') return 'Coordinated Universal Time';
  const last = timeZone.split('/').pop() ?? timeZone;
  return RENAMED[last] ?? last.replace(/_/g, ' ');
}

/**
 * The picker's options: every zone the browser knows, the person's own zone and the tile's
 * current zone, each valid here, without duplicates, west to east.
 */
export function timeZoneOptions({ current, local, at, zones = allTimeZones() }: { current: string; local: string; at: number; zones?: readonly string[] }): TimeZoneOption[] {
  // The browser's own list is valid by definition; only the zones from elsewhere are checked.
  const unique = new Set<string>([...zones, ...[local, current].filter(isValidTimeZone)]);
  return [...unique]
    .map((zone) => {
      const offsetMinutes = utcOffsetMinutes(zone, at);
      const own = zone === local ? ' — your time zone' : '';
      return { value: zone, offsetMinutes, label: `(${utcOffsetLabel(zone, at)}) ${placeName(zone)}${own}` };
    })
    .sort((a, b) => a.offsetMinutes - b.offsetMinutes || a.label.localeCompare(b.label));
}

/**
 * The options a search keeps: every word must appear in the zone's id ("America/New_York"),
 * its label ("(UTC−05:00) New York") or as an offset ("+5:30", "utc-8"). The selected zone
 * always stays, so the picker never shows a value it does not list.
 */
export function searchTimeZones(options: readonly TimeZoneOption[], query: string, keep?: string): TimeZoneOption[] {
  const words = normalize(query).split(' ').filter(Boolean);
  if (words.length === 0) return [...options];
  return options.filter((option) => {
    if (option.value === keep) return true;
    const haystack = `${normalize(option.value)} ${normalize(option.label)} ${offsetForms(option.offsetMinutes)}`;
    return words.every((word) => haystack.includes(word));
  });
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/[_/()]/g, ' ').replace(/−/g, '-').replace(/\s+/g, ' ').trim();
}

/** "+5:30 +05:30 +530 utc+5:30 …": the ways people type an offset. */
function offsetForms(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hours = Math.floor(abs / 60);
  const mins = String(abs % 60).padStart(2, '0');
  const forms = [`${sign}${hours}:${mins}`, `${sign}${String(hours).padStart(2, '0')}:${mins}`, `${sign}${hours}${abs % 60 ? mins : ''}`];
  return forms.flatMap((form) => [form, `utc${form}`, `gmt${form}`]).join(' ');
}
