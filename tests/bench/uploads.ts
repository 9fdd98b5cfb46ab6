// `npm run bench uploads [--size-mib=1024] [--small-mib=256] [--concurrency=6] [--sign-batch=32] [--record-every-ms=5000] [--rounds=5] [--storage-dir=/dev/shm] [--skip-build]`
//
// Uploads a generated video-shaped file through the real app (`next build` + `next start`,
// a separate process) to the local S3-protocol server, and prints side by side:
//   (a) the app process's CPU seconds and peak RSS growth for a direct upload (presigned
//       URLs, the app only signs and verifies) and for the baseline route that streams the
//       same bytes through the app (PUT /api/bench/proxy-upload, served with BENCH_ROUTES);
//       both at two sizes, to show whether memory grows with the file;
//   (b) multipart goodput (create → parts → verified completion) ÷ one raw presigned PUT of
//       the same bytes to the same storage.
// The upload itself runs as the web client runs it: the same parallel PUTs, URL batches and
// part recording (the defaults come from lib/upload-client).
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, rm, statfs, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import { startServicesProcess } from "./_services";
import type { CreatedUpload } from "@/lib/api-client/uploads";
import { cpuSeconds, idleCpuRate, measureProcess, processTree, settle, type ResourceUse } from "./_process-stats";
import { startEventSink } from "./_event-sink";
import { processEnvironment, setEnvForProcess } from "@/lib/env";
import { freePort } from "@/lib/local-stack/ports";
import { startNextApp } from "@/lib/local-stack/next-app";
import { deleteObject, headObject, putObject } from "@/lib/storage/objects";
import { PartRecorder, RECORD_PARTS_EVERY_MS } from "@/lib/upload-client/part-recorder";
import { PARALLEL_STORAGE_REQUESTS, PART_URL_BATCH } from "@/lib/upload-client/upload-bridge";
import { presignPut } from "@/lib/storage/presign";

const MiB = 1024 * 1024;

type Options = {
  sizeMiB: number;
  smallMiB: number;
  concurrency: number;
  signBatch: number;
  recordEveryMs: number;
  rounds: number;
  skipBuild: boolean;
  storageDir?: string;
};

/** A RAM-backed folder when there is one with room for a few of the uploads, else the temporary folder. */
async function defaultStorageDir(): Promise<string> {
  const shm = await statfs("/dev/shm").catch(() => null);
  return shm && shm.bavail * shm.bsize > 6 * 1024 * MiB ? "/dev/shm" : os.tmpdir();
}

function parseOptions(args: string[]): Options {
  const value = (name: string, fallback: number) => {
    const arg = args.find((a) => a.startsWith(`--${name}=`));
    const parsed = arg ? Number(arg.split("=")[1]) : fallback;
    if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive whole number`);
    return parsed;
  };
  return {
    sizeMiB: value("size-mib", 1024),
    smallMiB: value("small-mib", 256),
    concurrency: value("concurrency", PARALLEL_STORAGE_REQUESTS),
    signBatch: value("sign-batch", PART_URL_BATCH),
    recordEveryMs: value("record-every-ms", RECORD_PARTS_EVERY_MS),
    rounds: value("rounds", 5),
    skipBuild: args.includes("--skip-build"),
    storageDir: args.find((a) => a.startsWith("--storage-dir="))?.split("=")[1],
  };
}

/** A file that starts like an MP4 (so completion's sniffing accepts it), written in 16 MiB blocks. */
async function writeBenchFile(file: string, size: number): Promise<void> {
  const block = randomBytes(16 * MiB);
  Buffer.from([0, 0, 0, 0x18, ...Buffer.from("ftypisom"), 0, 0, 2, 0, ...Buffer.from("isommp42")]).copy(block, 0);
  const handle = await open(file, "w");
  try {
    for (let written = 0; written < size; written += block.length) {
      await handle.write(block, 0, Math.min(block.length, size - written));
      block.writeUInt32BE(written, 64);
    }
  } finally {
    await handle.close();
  }
}

// Every PUT in this benchmark (raw, part, proxied) streams its byte range from the file with
// node:http, as a browser sends a File slice. The same client for every path, and a lean one:
// on a 2-core machine whatever the client spends is taken from the storage server, and
// fetch() with a Buffer body costs about twice the client CPU of a streamed request.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function putFileRange(
  url: string,
  filePath: string,
  start: number,
  end: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; etag: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "PUT", agent, headers: { ...headers, "content-length": String(end - start) } }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, etag: (response.headers.etag as string | undefined) ?? null, body }));
      response.on("error", reject);
    });
    request.on("error", reject);
    const source = createReadStream(filePath, { start, end: end - 1, highWaterMark: MiB });
    source.on("error", (error) => request.destroy(error));
    source.pipe(request);
  });
}

class Api {
  calls = 0;
  /** App CPU seconds and call count per route, each call measured from its start to its answer. */
  readonly cpuByRoute = new Map<string, { calls: number; cpuSeconds: number }>();
  appPids: number[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  measureApp(pid: number): void {
    this.appPids = processTree(pid);
  }

  async call<T>(method: string, pathname: string, body?: unknown, expected = [200, 201]): Promise<T> {
    this.calls++;
    const cpuBefore = cpuSeconds(this.appPids);
    const response = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const route = `${method} ${pathname.replace(/\/api\/uploads\/[^/]+/, "/api/uploads/:id")}`;
    const entry = this.cpuByRoute.get(route) ?? { calls: 0, cpuSeconds: 0 };
    entry.calls++;
    entry.cpuSeconds += cpuSeconds(this.appPids) - cpuBefore;
    this.cpuByRoute.set(route, entry);
    if (!expected.includes(response.status)) throw new Error(`${method} ${pathname} → ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

type SignedPart = { partNumber: number; url: string };

/**
 * What the browser client does: create (the answer carries the first part URLs), PUT the
 * bytes to presigned URLs (parts in parallel, further URLs signed in batches as needed),
 * record finished parts in the manifest every few seconds so an interrupted upload can
 * resume (the web client's PartRecorder), then complete with the full part list.
 */
async function uploadDirect(
  api: Api,
  filePath: string,
  size: number,
  options: Options,
): Promise<{ key: string; completionSeconds: number }> {
  const created = await api.call<CreatedUpload>("POST", "/api/uploads", { filename: "bench.mp4", size, contentType: "video/mp4" });
  let partList: { partNumber: number; etag: string }[] | undefined;
  if (created.method === "single") {
    const put = await putFileRange(created.url!, filePath, 0, size, created.headers);
    if (put.status !== 200) throw new Error(`PUT → ${put.status} ${put.body}`);
  } else {
    const partSize = created.partSize!;
    const partCount = created.partCount!;
    const partsPath = `/api/uploads/${created.uploadId}/parts`;
    const signed = new Map<number, string>((created.parts ?? []).map((part) => [part.partNumber, part.url]));
    let nextToSign = (created.parts?.length ?? 0) + 1;
    let signing: Promise<void> | null = null;
    const signBatch = async () => {
      const partNumbers = Array.from({ length: Math.min(options.signBatch, partCount - nextToSign + 1) }, (_, i) => nextToSign + i);
      nextToSign += partNumbers.length;
      const batch = await api.call<{ parts: SignedPart[] }>("POST", partsPath, { partNumbers });
      for (const part of batch.parts) signed.set(part.partNumber, part.url);
    };
    const urlFor = async (partNumber: number) => {
      while (!signed.has(partNumber)) {
        signing ??= signBatch().finally(() => (signing = null));
        await signing;
      }
      return signed.get(partNumber)!;
    };
    const recorder = new PartRecorder(async (parts) => {
      await api.call("PATCH", partsPath, { parts });
    }, options.recordEveryMs);
    let next = 1;
    const worker = async () => {
      for (let partNumber = next++; partNumber <= partCount; partNumber = next++) {
        const url = await urlFor(partNumber);
        const start = (partNumber - 1) * partSize;
        const length = Math.min(partSize, size - start);
        const put = await putFileRange(url, filePath, start, start + length);
        if (put.status !== 200) throw new Error(`PUT part ${partNumber} → ${put.status} ${put.body}`);
        recorder.add({ partNumber, etag: put.etag!, size: length });
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    // As the web client does: completion lists the parts; recordings under way finish first.
    recorder.dispose();
    await recorder.recordAll().catch(() => undefined);
    const done = recorder.allParts(partCount)!;
    partList = done.map(({ partNumber, etag }) => ({ partNumber, etag }));
  }
  const completionStarted = performance.now();
  const completed = await api.call<{ status: string }>("POST", `/api/uploads/${created.uploadId}/complete`, partList && { parts: partList });
  if (completed.status !== "queued") throw new Error(`completion answered ${completed.status}`);
  return { key: created.key, completionSeconds: (performance.now() - completionStarted) / 1000 };
}

/** The baseline: the same bytes streamed through the app to storage. */
async function uploadProxied(baseUrl: string, token: string, filePath: string, size: number): Promise<string> {
  const response = await putFileRange(`${baseUrl}/api/bench/proxy-upload`, filePath, 0, size, { authorization: `Bearer ${token}` });
  if (response.status !== 201) throw new Error(`proxy upload → ${response.status} ${response.body}`);
  return (JSON.parse(response.body) as { key: string }).key;
}

/** One presigned PUT of the whole file straight to storage: the fastest the storage takes these bytes. */
async function rawPut(filePath: string, size: number): Promise<{ key: string; seconds: number }> {
  const key = `bench/raw-${randomUUID()}.mp4`;
  const url = await presignPut({ key, contentType: "video/mp4", contentLength: size, expiresInSeconds: 3600 });
  const started = performance.now();
  const response = await putFileRange(url, filePath, 0, size, { "content-type": "video/mp4" });
  if (response.status !== 200) throw new Error(`raw PUT → ${response.status} ${response.body}`);
  return { key, seconds: (performance.now() - started) / 1000 };
}

const FLOOR_SAMPLES = 30;
const QUIET_CPU_PER_SECOND = 0.0005;

/**
 * What no implementation on this stack can go below: the app CPU of its cheapest request
 * (routing, auth-free, one query) and the CPU of one storage call through the AWS SDK. Each
 * is the median of FLOOR_SAMPLES calls, measured one by one after as many unmeasured ones,
 * so that a garbage collection landing on one call does not raise the floor.
 */
async function measureFloor(api: Api): Promise<{ requestMs: number; storageCallMs: number; totalMs: number }> {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const samples = async (call: () => Promise<unknown>, cpu: () => number): Promise<number[]> => {
    for (let i = 0; i < FLOOR_SAMPLES; i++) await call();
    const measured: number[] = [];
    for (let i = 0; i < FLOOR_SAMPLES; i++) {
      const before = cpu();
      await call();
      measured.push((cpu() - before) * 1000);
    }
    return measured;
  };
  const requestMs = median(await samples(() => api.call("GET", "/api/health"), () => cpuSeconds(api.appPids)));
  api.cpuByRoute.clear();

  const key = `bench/floor-${randomUUID()}.bin`;
  await putObject(key, Buffer.alloc(1024), { contentType: "application/octet-stream" });
  const ownCpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  };
  const storageCallMs = median(await samples(() => headObject(key), ownCpu));
  await deleteObject(key);
  return { requestMs, storageCallMs, totalMs: 2 * requestMs + 4 * storageCallMs };
}

const mib = (bytes: number) => bytes / MiB;
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const plusMinus = (n: number) => `${n < 0 ? "−" : "+"}${fmt(Math.abs(n), 0)}`;
const sizeLabel = (bytes: number) => (bytes % (1024 * MiB) === 0 ? `${bytes / (1024 * MiB)} GiB` : `${mib(bytes)} MiB`);

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const large = options.sizeMiB * MiB;
  const small = options.smallMiB * MiB;
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-bench-"));
  const filePath = path.join(tmp, "bench.mp4");
  console.log(`Writing a ${sizeLabel(large)} test file to ${filePath}…`);
  await writeBenchFile(filePath, large);

  // Storage runs in its own process, as `npm run dev` runs it: sharing this process's event
  // loop with the client would serialise the parallel part PUTs the comparison is about.
  // Its objects go to memory (/dev/shm) where the machine has it: each round writes 2 GiB,
  // and the disk's writeback, once it starts, throttles whichever upload is running then —
  // noise of this machine's disk, not a property of either way of uploading.
  const storageDir = options.storageDir ?? (await defaultStorageDir());
  const services = await startServicesProcess({ dataDir: storageDir });
  const sink = await startEventSink();
  setEnvForProcess(services.env);
  const appEnv: Record<string, string | undefined> = {
    ...processEnvironment(),
    ...services.env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    BENCH_ROUTES: "true",
    // Completion sends its real event, to a sink: the pipeline would otherwise start on the
    // benchmark's bytes inside the app and blur what the upload itself costs.
    INNGEST_MODE: "dev",
    INNGEST_DEV_SERVER_URL: sink.url,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  let stopApp: (() => Promise<void>) | undefined;
  try {
    if (!options.skipBuild) {
      console.log("Building the app (next build)…");
      const build = spawnSync(path.join(process.cwd(), "node_modules/.bin/next"), ["build"], {
        env: appEnv as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
        encoding: "utf8",
      });
      if (build.status !== 0) throw new Error(`next build failed:\n${build.stdout}\n${build.stderr}`);
    }
    const app = await startNextApp({ mode: "start", port, env: appEnv, output: "inherit" });
    stopApp = app.stop;
    const pid = app.child.pid!;
    const login = await fetch(`${baseUrl}/api/auth/dev-login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `bench-${randomUUID()}@example.com` }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const api = new Api(baseUrl, accessToken);
    api.measureApp(pid);

    // Warm-up: load every route involved and let the JIT settle, so the figures are the
    // steady cost of an upload rather than the first request's module loading.
    console.log("Warming up the routes…");
    for (const key of [
      (await uploadDirect(api, filePath, MiB, options)).key,
      (await uploadDirect(api, filePath, 80 * MiB, { ...options, recordEveryMs: 1 })).key,
      await uploadProxied(baseUrl, accessToken, filePath, 80 * MiB),
    ]) {
      await deleteObject(key);
    }
    const unfinished = await api.call<CreatedUpload>("POST", "/api/uploads", { filename: "warm-up.mp4", size: 80 * MiB, contentType: "video/mp4" });
    await api.call("POST", `/api/uploads/${unfinished.uploadId}/parts`, { partNumbers: [1, 2, 3, 4, 5] });
    await api.call("DELETE", `/api/uploads/${unfinished.uploadId}`, undefined, [204]);

    // What the app uses doing nothing, over as long as a measured upload takes: timers,
    // pools, the runtime. It is part of every figure below; shown, not subtracted.
    const settledSeconds = [await settle(pid, QUIET_CPU_PER_SECOND)];
    const idleCpuPerSecond = await idleCpuRate(pid, 5);
    const floor = await measureFloor(api);
    api.cpuByRoute.clear();

    const rows: { label: string; size: number; use: ResourceUse }[] = [];
    let directCpuByRoute = new Map<string, { calls: number; cpuSeconds: number }>();
    const directRequests = new Map<number, number>();
    for (const size of [small, large]) {
      console.log(`Measuring ${sizeLabel(size)}: direct, then proxied…`);
      const callsBefore = api.calls;
      api.cpuByRoute.clear();
      // Each measured run starts once the work before it (its garbage collection included)
      // is over, so neither path is charged for the other's.
      settledSeconds.push(await settle(pid, QUIET_CPU_PER_SECOND));
      const direct = await measureProcess(pid, () => uploadDirect(api, filePath, size, options));
      rows.push({ label: "direct: presigned multipart", size, use: direct.use });
      directRequests.set(size, api.calls - callsBefore);
      if (size === large) directCpuByRoute = new Map([...api.cpuByRoute].map(([route, use]) => [route, { ...use }]));
      await deleteObject(direct.result.key);
      settledSeconds.push(await settle(pid, QUIET_CPU_PER_SECOND));
      const proxied = await measureProcess(pid, () => uploadProxied(baseUrl, accessToken, filePath, size));
      rows.push({ label: "baseline: proxied via app", size, use: proxied.use });
      await deleteObject(proxied.result);
    }
    // Goodput: raw PUTs and multipart uploads of the same bytes, alternated so that load from
    // anything else on the machine falls on both; the best of each is compared.
    const rawRuns: number[] = [];
    const multipartRuns: { seconds: number; completionSeconds: number }[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      console.log(`Goodput round ${round}/${options.rounds} (${sizeLabel(large)}): one raw PUT, then a multipart upload…`);
      const raw = await rawPut(filePath, large);
      rawRuns.push(raw.seconds);
      await deleteObject(raw.key);
      const started = performance.now();
      const multipart = await uploadDirect(api, filePath, large, options);
      multipartRuns.push({ seconds: (performance.now() - started) / 1000, completionSeconds: multipart.completionSeconds });
      await deleteObject(multipart.key);
    }
    const raw = { seconds: Math.min(...rawRuns) };
    const bestMultipart = multipartRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const find = (label: string, size: number) => rows.find((r) => r.label.startsWith(label) && r.size === size)!.use;
    const directLarge = find("direct", large);
    const proxiedLarge = find("baseline", large);
    const directSmall = find("direct", small);
    const cpuRatio = directLarge.cpuSeconds / proxiedLarge.cpuSeconds;
    const rssLarge = mib(directLarge.peakRssGrowthBytes);
    const rssSmall = mib(directSmall.peakRssGrowthBytes);
    const multipartGoodput = mib(large) / bestMultipart.seconds;
    const rawGoodput = mib(large) / raw.seconds;
    const goodputRatio = multipartGoodput / rawGoodput;
    const transferGoodput = mib(large) / (bestMultipart.seconds - bestMultipart.completionSeconds);
    const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");

    const lines = [
      "",
      `ClipCrafter upload benchmark — next start (pid ${pid}) → s3rver on this machine (objects in ${storageDir}), ${options.concurrency} parallel part PUTs, ` +
        `part URLs with the upload then ${options.signBatch} at a time, parts recorded every ${fmt(options.recordEveryMs / 1000, 1)} s`,
      "",
      `app CPU is on-CPU time from /proc/<pid>/task/*/schedstat (ns) over the app's process tree; ` +
        `utime+stime ticks (10 ms) in brackets`,
      `${"path".padEnd(30)}${"size".padStart(9)}${"app CPU s".padStart(11)}${"peak RSS +MiB".padStart(15)}${"wall s".padStart(9)}${"MiB/s".padStart(9)}`,
      ...rows.map(
        (r) =>
          `${r.label.padEnd(30)}${sizeLabel(r.size).padStart(9)}${fmt(r.use.cpuSeconds, 3).padStart(11)}${fmt(mib(r.use.peakRssGrowthBytes), 1).padStart(15)}${fmt(r.use.wallSeconds).padStart(9)}${fmt(mib(r.size) / r.use.wallSeconds, 0).padStart(9)}   (${fmt(r.use.tickCpuSeconds)} s in ticks)`,
      ),
      `${"raw single PUT to storage".padEnd(30)}${sizeLabel(large).padStart(9)}${"—".padStart(11)}${"—".padStart(15)}${fmt(raw.seconds).padStart(9)}${fmt(rawGoodput, 0).padStart(9)}   best of ${rawRuns.map((t) => fmt(t)).join(", ")} s`,
      `${"multipart via the API".padEnd(30)}${sizeLabel(large).padStart(9)}${"—".padStart(11)}${"—".padStart(15)}${fmt(bestMultipart.seconds).padStart(9)}${fmt(multipartGoodput, 0).padStart(9)}   best of ${multipartRuns.map((r) => fmt(r.seconds)).join(", ")} s`,
      "",
      `(a) app CPU, direct ÷ proxied (${sizeLabel(large)}): ${fmt(directLarge.cpuSeconds * 1000, 1)} ms ÷ ${fmt(proxiedLarge.cpuSeconds * 1000, 0)} ms = ${fmt(cpuRatio * 100, 2)}%   target ≤ 1%   ${verdict(cpuRatio <= 0.01)}`,
      `    floor on this machine with this stack, the least a verified multipart upload can cost the app: ` +
        `2 requests (create, complete) × ${fmt(floor.requestMs, 1)} ms (GET /api/health: Next.js routing and one query, median of ${FLOOR_SAMPLES}) + ` +
        `4 storage calls (create and complete the multipart upload, HEAD, read the first bytes) × ${fmt(floor.storageCallMs, 1)} ms (one AWS SDK call, median of ${FLOOR_SAMPLES} HEADs in this process) ` +
        `= ${fmt(floor.totalMs, 1)} ms = ${fmt((floor.totalMs / 1000 / proxiedLarge.cpuSeconds) * 100, 2)}% of the proxied figure`,
      `    each measured run started after a quiet second (app under ${fmt(QUIET_CPU_PER_SECOND * 1000, 1)} ms of CPU), ` +
        `reached after ${settledSeconds.map((t) => fmt(t, 0)).join(", ")} s`,
      `    app idle CPU (no requests, over 5 s before the runs): ${fmt(idleCpuPerSecond * 1000, 2)} ms per second, ` +
        `${fmt(idleCpuPerSecond * directLarge.wallSeconds * 1000, 1)} ms over the direct upload's ${fmt(directLarge.wallSeconds, 1)} s — included above, not subtracted`,
      `    the direct upload made ${directRequests.get(large)} app requests (${sizeLabel(large)}) and ${directRequests.get(small)} (${sizeLabel(small)}); ` +
        `app CPU from each call's start to its answer (${sizeLabel(large)}): ` +
        [...directCpuByRoute].map(([route, use]) => `${route} ${use.calls} × ${fmt((use.cpuSeconds / use.calls) * 1000, 1)} ms`).join(", "),
      `    per extra ${sizeLabel(large - small)} (${sizeLabel(small)} → ${sizeLabel(large)}): direct ${plusMinus((directLarge.cpuSeconds - directSmall.cpuSeconds) * 1000)} ms, ` +
        `proxied ${plusMinus((proxiedLarge.cpuSeconds - find("baseline", small).cpuSeconds) * 1000)} ms ` +
        `(${fmt(((directLarge.cpuSeconds - directSmall.cpuSeconds) / (proxiedLarge.cpuSeconds - find("baseline", small).cpuSeconds)) * 100, 1)}%); ` +
        `the rest of the direct figure is the per-upload cost of its app requests`,
      `    app peak RSS growth, direct: ${fmt(rssSmall, 1)} MiB (${sizeLabel(small)}), ${fmt(rssLarge, 1)} MiB (${sizeLabel(large)}); ` +
        `proxied: ${fmt(mib(find("baseline", small).peakRssGrowthBytes), 1)} / ${fmt(mib(proxiedLarge.peakRssGrowthBytes), 1)} MiB   ` +
        `target ≤ 20 MiB, not growing with size   ${verdict(Math.max(rssSmall, rssLarge) <= 20)}`,
      `(b) multipart goodput ÷ raw PUT (${sizeLabel(large)}), create → verified completion: ${fmt(multipartGoodput, 0)} ÷ ${fmt(rawGoodput, 0)} MiB/s = ${fmt(goodputRatio, 2)}   target ≥ 0.9   ${verdict(goodputRatio >= 0.9)}`,
      `    of which completion took ${fmt(bestMultipart.completionSeconds)} s (storage completing the multipart upload, then verifying the object and queueing it); ` +
        `without it: ${fmt(transferGoodput, 0)} MiB/s = ${fmt(transferGoodput / rawGoodput, 2)} × raw PUT`,
      `    video/process events received: ${sink.events.filter((e) => e.name === "video/process").length} (one per direct upload, warm-up included)`,
    ];
    console.log(lines.join("\n"));
    const resultsDir = path.join(process.cwd(), "bench-results");
    await mkdir(resultsDir, { recursive: true });
    await writeFile(
      path.join(resultsDir, "uploads.json"),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          options,
          rows,
          idleCpuPerSecond,
          settledSeconds,
          floor,
          directCpuByRoute: Object.fromEntries(directCpuByRoute),
          rawRuns,
          multipartRuns,
          cpuRatio,
          rssSmall,
          rssLarge,
          goodputRatio,
        },
        null,
        2,
      ),
    );
  } finally {
    await stopApp?.();
    await sink.stop();
    await services.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}
