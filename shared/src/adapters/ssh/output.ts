/** Collects a stream's output up to a byte cap, so a chatty script cannot exhaust memory or the operation log. */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer | string): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = this.maxBytes - this.size;
    if (room > 0) {
      const kept = data.length <= room ? data : data.subarray(0, room);
      this.chunks.push(kept);
      this.size += kept.length;
    }
    this.dropped += Math.max(0, data.length - Math.max(room, 0));
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped ? `${text}\n[consort: ${this.dropped} more bytes of output were dropped]\n` : text;
  }
}

/** Default cap of each of stdout and stderr (the operation log keeps less; this bounds memory). */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
