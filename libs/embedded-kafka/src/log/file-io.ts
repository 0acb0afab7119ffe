/**
 * Small file primitives for the log store. Reads are synchronous (PartitionLog.read is synchronous and the data
 * normally sits in the page cache); appends and fsyncs are asynchronous so the event loop keeps serving while the
 * kernel copies a group commit.
 */
import fs from 'node:fs';
import { dirname } from 'node:path';

/** Reads up to `length` bytes at `position` into a fresh buffer (shorter only at end of file). */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** Writes all buffers at `position`, continuing after short writes. */
export async function writeAllAt(fd: number, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    const written = await new Promise<number>((resolve, reject) =>
      fs.writev(fd, pending, at, (err, bytes) => (err ? reject(err) : resolve(bytes))),
    );
    at += written;
    pending = dropWritten(pending, written);
  }
}

function dropWritten(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  if (i === buffers.length) return [];
  return [buffers[i]!.subarray(skip), ...buffers.slice(i + 1)];
}

export function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

/** Makes a directory entry change (create, rename, unlink) durable. */
export function fsyncDirectory(path: string): void {
  const fd = fs.openSync(path, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces `path` with `data` so that a crash leaves either the old or the new content, never a mix. */
export function writeFileAtomic(path: string, data: Buffer | string): void {
  const tmp = `${path}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  fsyncDirectory(dirname(path));
}
