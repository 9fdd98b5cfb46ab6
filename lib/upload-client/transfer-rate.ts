// Speed and time left for one upload, from its progress reports. A sliding window keeps
// the figure steady but current; `restart` drops the history when an upload pauses or
// resumes, so bytes already stored (a jump, not a transfer) never count as speed.

export class TransferRate {
  private samples: { at: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  restart(): void {
    this.samples = [];
  }

  add(at: number, bytes: number): void {
    const last = this.samples.at(-1);
    if (last && bytes < last.bytes) this.samples = [];
    this.samples.push({ at, bytes });
    // Keep one sample older than the window as its start.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
  }

  /** Bytes per second, or null until there is a second's worth of reports. */
  bytesPerSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 1000) return null;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }

  secondsLeft(totalBytes: number): number | null {
    const rate = this.bytesPerSecond();
    const last = this.samples.at(-1);
    if (!rate || !last) return null;
    return Math.max(0, totalBytes - last.bytes) / rate;
  }
}
