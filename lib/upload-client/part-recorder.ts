export type RecordedPart = { partNumber: number; etag: string; size: number };

/**
 * How often finished parts go to the server's manifest. The manifest is what a reloaded
 * page resumes from, so this bounds the work a crash can lose to a few seconds of upload;
 * a slow connection (a part every few seconds or slower) still records each part as it
 * finishes, and a fast one sends one request for many parts instead of one each.
 */
export const RECORD_PARTS_EVERY_MS = 5_000;

/**
 * Collects the parts storage accepted and records them in batches (PATCH
 * /api/uploads/:id/parts), at most one request per interval. It remembers every part it
 * was given, so completion can list them itself instead of waiting for a last recording.
 */
export class PartRecorder {
  private readonly known = new Map<number, RecordedPart>();
  private readonly pending = new Map<number, RecordedPart>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSentAt: number;

  constructor(
    private readonly send: (parts: RecordedPart[]) => Promise<void>,
    private readonly everyMs = RECORD_PARTS_EVERY_MS,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.lastSentAt = now();
  }

  add(part: RecordedPart): void {
    this.known.set(part.partNumber, part);
    this.pending.set(part.partNumber, part);
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + this.everyMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sendPending().catch(() => undefined);
    }, wait);
  }

  /** Every part given so far, in order, when they are all of `partCount`; otherwise null. */
  allParts(partCount: number): RecordedPart[] | null {
    if (this.known.size !== partCount) return null;
    return [...this.known.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Records whatever is still pending and waits for every recording; throws if one fails. */
  async recordAll(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    if (this.pending.size > 0) await this.sendPending();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private sendPending(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const parts = [...this.pending.values()].sort((a, b) => a.partNumber - b.partNumber);
    this.pending.clear();
    this.lastSentAt = this.now();
    const sending = this.send(parts)
      .catch((error: unknown) => {
        // Back in the queue, unless the part was uploaded again meanwhile: the next recording sends it.
        for (const part of parts) if (!this.pending.has(part.partNumber)) this.pending.set(part.partNumber, part);
        throw error;
      })
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
    return sending;
  }
}
