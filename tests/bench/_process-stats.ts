import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

// Resource use of a process and its descendants, read from /proc (Linux).

const clockTicks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]!));
  return all;
}

/** utime + stime, in seconds, summed over the tree. */
export function cpuSeconds(pids: number[]): number {
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

export type ResourceUse = { cpuSeconds: number; rssBeforeBytes: number; peakRssGrowthBytes: number; wallSeconds: number };

/** Measures a process tree while `work` runs: CPU seconds used, and the peak RSS above where it started. */
export async function measureProcess<T>(pid: number, work: () => Promise<T>, sampleEveryMs = 10): Promise<{ use: ResourceUse; result: T }> {
  const pids = processTree(pid);
  const rssBefore = rssBytes(pids);
  let peak = rssBefore;
  const cpuBefore = cpuSeconds(pids);
  const started = performance.now();
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pids));
  }, sampleEveryMs);
  try {
    const result = await work();
    peak = Math.max(peak, rssBytes(pids));
    return {
      result,
      use: {
        cpuSeconds: cpuSeconds(pids) - cpuBefore,
        rssBeforeBytes: rssBefore,
        peakRssGrowthBytes: peak - rssBefore,
        wallSeconds: (performance.now() - started) / 1000,
      },
    };
  } finally {
    clearInterval(timer);
  }
}
