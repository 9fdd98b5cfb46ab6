import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

// Resource use of a process and its descendants, read from /proc (Linux).

const clockTicks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

function threads(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

function children(pid: number): number[] {
  return threads(pid).flatMap((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]!));
  return all;
}

/** utime + stime, in seconds, summed over the tree: what `ps` shows, counted in scheduler ticks (10 ms). */
export function tickCpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks / clockTicks;
}

/**
 * Time on a CPU, in seconds, summed over every thread of the tree, from the scheduler's own
 * nanosecond accounting (/proc/<pid>/task/<tid>/schedstat). Tick sampling charges a whole
 * 10 ms to whichever thread the tick lands on, so it cannot tell 5 ms from 15 ms; this can.
 * A thread that exits between two readings takes its time with it; Node's threads (main,
 * libuv pool, V8 helpers) live as long as the process.
 */
export function cpuSeconds(pids: number[]): number {
  let nanoseconds = 0;
  for (const pid of pids) {
    for (const tid of threads(pid)) {
      try {
        nanoseconds += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // exited
      }
    }
  }
  return nanoseconds / 1e9;
}

/** Resident set size (VmRSS), in bytes, summed over the tree. */
export function rssBytes(pids: number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  return kib * 1024;
}

export type ResourceUse = {
  /** On-CPU time from schedstat (nanosecond resolution). */
  cpuSeconds: number;
  /** The same from utime + stime (10 ms ticks), for comparison with `ps`/`time`. */
  tickCpuSeconds: number;
  rssBeforeBytes: number;
  peakRssGrowthBytes: number;
  wallSeconds: number;
};

/** Measures a process tree while `work` runs: CPU seconds used, and the peak RSS above where it started. */
export async function measureProcess<T>(pid: number, work: () => Promise<T>, sampleEveryMs = 10): Promise<{ use: ResourceUse; result: T }> {
  const pids = processTree(pid);
  const rssBefore = rssBytes(pids);
  let peak = rssBefore;
  const cpuBefore = cpuSeconds(pids);
  const ticksBefore = tickCpuSeconds(pids);
  const started = performance.now();
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pids));
  }, sampleEveryMs);
  try {
    const result = await work();
    const cpuAfter = cpuSeconds(pids);
    const ticksAfter = tickCpuSeconds(pids);
    peak = Math.max(peak, rssBytes(pids));
    return {
      result,
      use: {
        cpuSeconds: cpuAfter - cpuBefore,
        tickCpuSeconds: ticksAfter - ticksBefore,
        rssBeforeBytes: rssBefore,
        peakRssGrowthBytes: peak - rssBefore,
        wallSeconds: (performance.now() - started) / 1000,
      },
    };
  } finally {
    clearInterval(timer);
  }
}

/** CPU seconds the tree uses per second while nothing is asked of it, over `seconds`. */
export async function idleCpuRate(pid: number, seconds: number): Promise<number> {
  const pids = processTree(pid);
  const before = cpuSeconds(pids);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return (cpuSeconds(pids) - before) / ((performance.now() - started) / 1000);
}

/**
 * Waits until the tree has a quiet second (under `quietCpuPerSecond` of CPU), at most
 * `maxSeconds`, so that a measurement starts after the work before it has finished —
 * a garbage collection left over from a previous run is not charged to the next one.
 * Returns the seconds waited.
 */
export async function settle(pid: number, quietCpuPerSecond: number, maxSeconds = 20): Promise<number> {
  const started = performance.now();
  while ((performance.now() - started) / 1000 < maxSeconds) {
    if ((await idleCpuRate(pid, 1)) < quietCpuPerSecond) break;
  }
  return (performance.now() - started) / 1000;
}
