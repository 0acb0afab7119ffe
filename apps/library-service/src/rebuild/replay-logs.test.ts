import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { eachLine, isJsonRecord } from './replay-logs';

function collect(chunks: string[]): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  eachLine(stream, (line) => lines.push(line));
  const ended = new Promise<string[]>((resolve) => stream.on('end', () => resolve(lines)));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return ended;
}

describe('eachLine', () => {
  it('joins lines split across chunks and drops empty lines', async () => {
    expect(await collect(['{"a":', '1}\n{"b"', ':2}\n\n', '{"c":3}\n'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });
  it('passes on an unterminated last line when the stream ends', async () => {
    expect(await collect(['first\nsecond'])).toEqual(['first', 'second']);
  });
  it('keeps multi-byte characters split between chunks intact', async () => {
    const bytes = Buffer.from('{"msg":"Motörhead"}\n');
    const stream = new PassThrough();
    const lines: string[] = [];
    eachLine(stream, (line) => lines.push(line));
    const ended = new Promise((resolve) => stream.on('end', resolve));
    stream.write(bytes.subarray(0, 14));
    stream.end(bytes.subarray(14));
    await ended;
    expect(lines).toEqual(['{"msg":"Motörhead"}']);
  });
});

describe('isJsonRecord', () => {
  it('accepts one JSON object per line (a pino record)', () => {
    expect(isJsonRecord('{"level":30,"msg":"rebuild progress","rebuild":"7"}')).toBe(true);
  });
  it('refuses text, arrays and broken JSON', () => {
    for (const line of ['FATAL ERROR: Reached heap limit', '[1,2]', '{"level":30', '{not json}', '']) expect(isJsonRecord(line)).toBe(false);
  });
});
