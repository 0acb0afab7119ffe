/**
 * A sliding read window over a segment file for walking batches front to back without reading the whole file.
 * Every refill allocates a new buffer, so slices handed out earlier stay valid (reads return zero-copy views).
 */
import { readAt } from './file-io.js';

export class BatchWindow {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;

  /**
   * @param end file position where valid data ends (bytes after it are never read)
   * @param chunkBytes how much to read ahead per refill
   */
  constructor(
    private readonly fd: number,
    readonly end: number,
    private readonly chunkBytes: number,
  ) {}

  /**
   * Makes bytes [position, position + length) available, clipped at `end`; returns the buffer and the index of
   * `position` in it, plus how many of the requested bytes are there (less than `length` only at `end`).
   */
  view(position: number, length: number): { buf: Buffer; at: number; available: number } {
    const wanted = Math.min(length, this.end - position);
    if (position < this.bufStart || position + wanted > this.bufStart + this.buf.length) {
      const readLength = Math.min(Math.max(wanted, this.chunkBytes), this.end - position);
      this.buf = readAt(this.fd, position, readLength);
      this.bufStart = position;
    }
    const at = position - this.bufStart;
    return { buf: this.buf, at, available: Math.min(wanted, this.buf.length - at) };
  }
}
