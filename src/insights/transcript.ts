import type { Language } from '../protocol/code';
import type { ChatMessage } from '../protocol/realtime';
import type { ReplayEntry } from '../protocol/replay';

/** `1 join`, `3 joins`. */
export const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A session's chat, in order, from its log. */
export function chatOf(entries: readonly ReplayEntry[]): ChatMessage[] {
  return entries.flatMap((entry) => (entry.kind === 'chat' ? [entry.message] : []));
}

/** One line per message: `[2026-03-03 14:05:09] Ada: hello` (the host's marked as such). */
export function transcriptText(title: string, messages: readonly ChatMessage[]): string {
  const lines = messages.map((m) => `[${isoSeconds(m.at)}] ${m.name}${m.role === 'host' ? ' (host)' : ''}: ${m.text}`);
  return [`Chat of “${title}” (times in UTC)`, '', ...lines, ''].join('\n');
}

/**
 * time,name,role,message as RFC 4180 CSV. Chat is anyone's text: a cell that a spreadsheet
 * would run as a formula (=, +, -, @, tab, CR) is prefixed with an apostrophe.
 */
export function transcriptCsv(messages: readonly ChatMessage[]): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const rows = messages.map((m) => [new Date(m.at).toISOString(), m.name, m.role, m.text].map(cell).join(','));
  return ['time,name,role,message', ...rows, ''].join('\r\n');
}

export const sourceExtensions: Record<Language, string> = {
  python: 'py',
  javascript: 'js',
  typescript: 'ts',
  java: 'java',
  cpp: 'cpp',
  csharp: 'cs',
};

/** A file name from a session title: letters, digits and dashes. */
export function fileStem(title: string): string {
  return title.normalize('NFKD').replace(/[^\w-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'session';
}

/** Saves text as a file, as the browser's download. */
export function download(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function isoSeconds(at: number): string {
  return new Date(at).toISOString().slice(0, 19).replace('T', ' ');
}
