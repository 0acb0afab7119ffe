import type { Readable } from 'node:stream';

/** A line longer than this is passed on in pieces rather than buffered without bound. */
const MAX_LINE_CHARS = 1 << 20;

/**
 * Calls `onLine` with every complete line of `stream` (without its newline), and with the unterminated rest when the
 * stream ends. The replay process writes one pino JSON record per line; this is how its lines reach the service.
 */
export function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) onLine(line);
    if (rest.length > MAX_LINE_CHARS) {
      onLine(rest);
      rest = '';
    }
  });
  stream.on('end', () => {
    if (rest.length > 0) onLine(rest);
    rest = '';
  });
}

/**
 * Whether a line of the replay's output is a structured log record (pino writes one JSON object per line) that can
 * join the service's log stream as it is. Anything else (V8's fatal-error text, a stray console.log) is wrapped.
 */
export function isJsonRecord(line: string): boolean {
  if (!line.startsWith('{') || !line.endsWith('}')) return false;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
