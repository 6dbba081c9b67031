import { useEffect, useState } from 'react';
import { formatExact, formatRelative, parseDate } from '../lib/time';

/** A relative time ("5 minutes ago") that updates itself; the exact time is in the tooltip and `datetime`. */
export function RelativeTime({ value, prefix }: { value: string; prefix?: string }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const date = parseDate(value);
  if (!date) return <span>{value}</span>;
  const exact = formatExact(date);
  return (
    <time dateTime={date.toISOString()} title={exact}>
      {prefix ? `${prefix} ` : ''}
      {formatRelative(date, now)}
    </time>
  );
}
