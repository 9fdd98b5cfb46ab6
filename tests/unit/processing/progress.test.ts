import { describe, expect, it } from "vitest";
import { createProgressParser, fractionDone, type ProgressUpdate } from "@/lib/media/ffmpeg-progress";
import { createProgressReporter } from "@/lib/processing/progress-reporter";
import { overallProgress } from "@/lib/processing/stages";

describe("ffmpeg -progress output", () => {
  it("yields one update per block, also when lines arrive split across chunks", () => {
    const updates: ProgressUpdate[] = [];
    const feed = createProgressParser((u) => updates.push(u));
    feed("frame=10\nout_time_us=1500000\nout_time=00:00:01.5\nprogre");
    feed("ss=continue\nframe=20\nout_time_us=3000000\nprogress=continue\n");
    feed("out_time_us=6000000\nprogress=end\n");
    expect(updates).toEqual([
      { outTimeSeconds: 1.5, done: false },
      { outTimeSeconds: 3, done: false },
      { outTimeSeconds: 6, done: true },
    ]);
    expect(fractionDone(updates[1]!, 6)).toBe(0.5);
    expect(fractionDone(updates[2]!, 6)).toBe(1);
  });

  it("ignores N/A times before the first frame", () => {
    const updates: ProgressUpdate[] = [];
    const feed = createProgressParser((u) => updates.push(u));
    feed("out_time_us=N/A\nprogress=continue\n");
    expect(updates).toEqual([{ outTimeSeconds: 0, done: false }]);
  });

  it("maps a stage's share of the work into overall progress", () => {
    expect(overallProgress("transcode", 0)).toBe(8);
    expect(overallProgress("transcode", 0.5)).toBe(44);
    expect(overallProgress("transcode", 1)).toBe(80);
    expect(overallProgress("finalize", 1)).toBe(100);
  });
});

describe("progress writes to the project row", () => {
  it("writes at most once per interval however often ffmpeg reports, and the last value on flush", async () => {
    let clock = 0;
    const writes: number[] = [];
    const reporter = createProgressReporter({ write: async (p) => void writes.push(p), minIntervalMs: 1000, now: () => clock });
    for (let i = 1; i <= 100; i++) {
      clock = i * 50; // ffmpeg reports every 50 ms
      reporter.report(i);
      await Promise.resolve();
    }
    await reporter.flush();
    // 5 s of reports → about one write per second, plus the final value.
    expect(writes.length).toBeLessThanOrEqual(7);
    expect(writes.at(-1)).toBe(100);
    expect([...writes].sort((a, b) => a - b)).toEqual(writes);
  });

  it("starts from the value the row holds: ffmpeg's first report at the stage's start writes nothing and leaves the interval to the first real move", async () => {
    let clock = 0;
    const writes: number[] = [];
    const reporter = createProgressReporter({ write: async (p) => void writes.push(p), minIntervalMs: 1000, now: () => clock, startsAt: 8 });
    reporter.report(8); // out_time 0, as ffmpeg's first block always is
    await Promise.resolve();
    clock = 500;
    reporter.report(36);
    await Promise.resolve();
    clock = 1000;
    reporter.report(70);
    await reporter.flush();
    expect(writes).toEqual([36, 70]);
  });

  it("never writes a value lower than one already written", async () => {
    let clock = 0;
    const writes: number[] = [];
    const reporter = createProgressReporter({ write: async (p) => void writes.push(p), minIntervalMs: 10, now: () => clock });
    reporter.report(40);
    await Promise.resolve();
    clock = 100;
    reporter.report(30);
    await reporter.flush();
    expect(writes).toEqual([40]);
  });

  it("keeps one write in flight at a time", async () => {
    let clock = 0;
    let inFlight = 0;
    let most = 0;
    const reporter = createProgressReporter({
      write: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
      },
      minIntervalMs: 0,
      now: () => clock,
    });
    for (let i = 1; i <= 10; i++) {
      clock += 5;
      reporter.report(i * 10);
    }
    await reporter.flush();
    expect(most).toBe(1);
  });
});
