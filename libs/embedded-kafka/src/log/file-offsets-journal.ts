/**
 * Committed consumer-group offsets, durable: an append-only journal of one JSON line per commit, each line
 * prefixed with the CRC-32C of its JSON. Opening replays it (stopping at a torn or corrupt line, which a crash
 * mid-write leaves at the end), then rewrites it atomically with just the live offsets (compaction). It is also
 * compacted while running once it holds many superseded lines. Commits arriving together share one write.
 */
import fs from 'node:fs';
import { crc32c } from '../protocol/crc32c.js';
import type { StoredOffset } from './partition-log.js';
import type { FsyncPolicy } from './file-partition-log.js';
import { fdatasync, writeAllAt, writeFileAtomic } from './file-io.js';

type JournalEntry =
  | { g: string; t: string; p: number; o: string; m: string | null }
  /** Offsets of a deleted topic are forgotten, as Kafka does. */
  | { deleteTopic: string };

interface PendingLine {
  entry: JournalEntry;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Superseded lines tolerated before the journal is rewritten (in addition to 4 x the live entries). */
const COMPACTION_SLACK = 1000;

export class OffsetsJournal {
  private readonly live = new Map<string, StoredOffset>();
  private fd: number;
  /** Bytes of complete lines in the journal file; the next group is written here. */
  private size = 0;
  private linesSinceCompaction = 0;
  private pending: PendingLine[] = [];
  private flushing: Promise<void> | null = null;
  private idle: Array<() => void> = [];
  private dirty = false;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly fsync: FsyncPolicy,
    entries: JournalEntry[],
  ) {
    for (const entry of entries) this.apply(entry);
    this.fd = this.compact();
  }

  /** Opens (creating if missing) and compacts the journal; `repair` describes a dropped damaged tail. */
  static open(path: string, fsync: FsyncPolicy): { journal: OffsetsJournal; repair: string | null } {
    let text = '';
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const { entries, damagedAt } = parseJournal(text);
    const repair = damagedAt === null ? null : `dropped ${Buffer.byteLength(text.slice(damagedAt))} damaged bytes at the end of ${path}`;
    return { journal: new OffsetsJournal(path, fsync, entries), repair };
  }

  list(): StoredOffset[] {
    return [...this.live.values()].map((offset) => ({ ...offset }));
  }

  save(offset: StoredOffset): Promise<void> {
    return this.enqueue({ g: offset.group, t: offset.topic, p: offset.partition, o: offset.offset.toString(), m: offset.metadata });
  }

  forgetTopic(topic: string): Promise<void> {
    return this.enqueue({ deleteTopic: topic });
  }

  async sync(): Promise<void> {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    await fdatasync(this.fd);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing || this.pending.length > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    this.closed = true;
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
  }

  private enqueue(entry: JournalEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`offsets journal ${this.path} is closed`));
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (this.pending.length === 1 && !this.flushing) setImmediate(() => this.startFlush());
    });
  }

  private startFlush(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.startFlush();
      else for (const wake of this.idle.splice(0)) wake();
    });
  }

  private async flush(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    try {
      const bytes = Buffer.from(group.map((line) => formatLine(line.entry)).join(''), 'utf8');
      await writeAllAt(this.fd, [bytes], this.size);
      if (this.fsync === 'always') await fdatasync(this.fd);
      else this.dirty = true;
      this.size += bytes.length;
    } catch (err) {
      const error = new Error(`offset commit to ${this.path} failed: ${(err as Error).message}`, { cause: err });
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch {
        // nothing more to undo: the next commit reports the failing disk again
      }
      for (const line of group) line.reject(error);
      return;
    }
    for (const line of group) this.apply(line.entry);
    this.linesSinceCompaction += group.length;
    if (this.linesSinceCompaction > COMPACTION_SLACK + 4 * this.live.size) {
      fs.closeSync(this.fd);
      this.fd = this.compact();
    }
    for (const line of group) line.resolve();
  }

  private apply(entry: JournalEntry): void {
    if ('deleteTopic' in entry) {
      for (const [key, offset] of this.live) if (offset.topic === entry.deleteTopic) this.live.delete(key);
      return;
    }
    const offset: StoredOffset = { group: entry.g, topic: entry.t, partition: entry.p, offset: BigInt(entry.o), metadata: entry.m };
    this.live.set(JSON.stringify([entry.g, entry.t, entry.p]), offset);
  }

  /** Atomically replaces the journal with the live offsets; returns an fd for writing after them. */
  private compact(): number {
    const lines = [...this.live.values()].map((o) => formatLine({ g: o.group, t: o.topic, p: o.partition, o: o.offset.toString(), m: o.metadata }));
    const bytes = Buffer.from(lines.join(''), 'utf8');
    writeFileAtomic(this.path, bytes);
    this.size = bytes.length;
    this.linesSinceCompaction = 0;
    return fs.openSync(this.path, 'r+');
  }
}

function formatLine(entry: JournalEntry): string {
  const json = JSON.stringify(entry);
  return `${crc32c(Buffer.from(json, 'utf8')).toString(16).padStart(8, '0')} ${json}\n`;
}

/** Entries of every intact line; damagedAt is the character index where damage (or a torn last line) starts. */
export function parseJournal(text: string): { entries: JournalEntry[]; damagedAt: number | null } {
  const entries: JournalEntry[] = [];
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    const entry = newline < 0 ? null : parseLine(text.slice(at, newline));
    if (entry === null) return { entries, damagedAt: at };
    entries.push(entry);
    at = newline + 1;
  }
  return { entries, damagedAt: null };
}

function parseLine(line: string): JournalEntry | null {
  const match = /^([0-9a-f]{8}) (.*)$/.exec(line);
  if (!match || Number.parseInt(match[1]!, 16) !== crc32c(Buffer.from(match[2]!, 'utf8'))) return null;
  try {
    const value = JSON.parse(match[2]!) as Record<string, unknown>;
    if (typeof value.deleteTopic === 'string') return { deleteTopic: value.deleteTopic };
    const { g, t, p, o, m } = value;
    if (typeof g !== 'string' || typeof t !== 'string' || !Number.isInteger(p) || typeof o !== 'string' || !/^-?\d+$/.test(o)) return null;
    if (m !== null && typeof m !== 'string') return null;
    return { g, t, p: p as number, o, m };
  } catch {
    return null;
  }
}
