import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PartRecorder, type RecordedPart } from "@/lib/upload-client/part-recorder";

const part = (partNumber: number): RecordedPart => ({ partNumber, etag: `"etag-${partNumber}"`, size: 100 });

describe("recording finished parts in batches", () => {
  let sent: number[][];
  let recorder: PartRecorder;
  let failNext: boolean;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    failNext = false;
    recorder = new PartRecorder(async (parts) => {
      if (failNext) {
        failNext = false;
        throw new Error("offline");
      }
      sent.push(parts.map((p) => p.partNumber));
    }, 5_000);
  });
  afterEach(() => {
    recorder.dispose();
    vi.useRealTimers();
  });

  it("sends the parts that finish within the interval as one request, and at most one request per interval", async () => {
    recorder.add(part(2));
    recorder.add(part(1));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([[1, 2]]);
    recorder.add(part(3));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(sent).toEqual([[1, 2]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([[1, 2], [3]]);
  });

  it("sends a part at once when nothing was sent for a whole interval (a slow connection records every part)", async () => {
    await vi.advanceTimersByTimeAsync(12_000);
    recorder.add(part(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([[1]]);
  });

  it("keeps the parts of a failed request and sends them with the next one", async () => {
    failNext = true;
    recorder.add(part(1));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual([]);
    recorder.add(part(2));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual([[1, 2]]);
  });

  it("records what is pending on demand, and says when that fails", async () => {
    recorder.add(part(1));
    failNext = true;
    await expect(recorder.recordAll()).rejects.toThrow("offline");
    await recorder.recordAll();
    expect(sent).toEqual([[1]]);
  });

  it("lists every part for completion only once it has them all", () => {
    recorder.add(part(2));
    expect(recorder.allParts(2)).toBeNull();
    recorder.add(part(1));
    recorder.add(part(1));
    expect(recorder.allParts(2)?.map((p) => p.partNumber)).toEqual([1, 2]);
  });
});
