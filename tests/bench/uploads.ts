// `npm run bench uploads [--size-mib=1024] [--small-mib=256] [--rounds=5] [--wan-rounds=1] [--concurrency=UPLOAD_PARALLEL_PARTS (6)] [--sign-batch=32] [--record-every-ms=5000] [--storage-dir=/dev/shm] [--skip-build]`
//
// Uploads a generated video-shaped file through the real app (`next build` + `next start`,
// a separate process) to the local S3-protocol server, and prints in one run:
//   (a) multipart goodput ÷ one presigned single PUT of the same bytes, both from headless
//       Chromium on the real upload page (the web client: Uppy, parallel parts, the API),
//       on plain loopback;
//   (b) the same ratio over a modelled WAN link (tests/bench/_wan-link.ts: 20 ms each way,
//       256 KiB in flight per connection, ~100 MB/s in all) between the browser and storage;
//   and, as before, the app's CPU seconds and peak RSS growth for a direct upload (presigned
//   URLs, the app only signs and verifies; driven from Node with the web client's
//   parallelism, URL batches and part recording) beside the CPU and RSS growth of a minimal
//   proxy server streaming the same bytes to storage (tests/bench/_proxy-baseline-server.ts,
//   its own process: the least a design that passes the bytes through a server spends), at
//   two sizes, and the floor of the stack (the least any verified upload costs the app).
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, rm, statfs, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import { startServicesProcess } from "./_services";
import { startProxyBaselineServer } from "./_proxy-baseline-server";
import type { CreatedUpload } from "@/lib/api-client/uploads";
import { cpuSeconds, idleCpuRate, measureProcess, processTree, settle, type ResourceUse } from "./_process-stats";
import { startEventSink } from "./_event-sink";
import { envSource, setEnvForProcess, UPLOAD_PARALLEL_PARTS_DEFAULT } from "@/lib/env";
import { freePort } from "@/lib/local-stack/ports";
import { startNextApp } from "@/lib/local-stack/next-app";
import { deleteObject, headObject, putObject } from "@/lib/storage/objects";
import { PartRecorder, RECORD_PARTS_EVERY_MS } from "@/lib/upload-client/part-recorder";
import { PART_URL_BATCH } from "@/lib/upload-client/upload-bridge";
import { openUploadPage, singlePutFromPage, uploadThroughPage, type BrowserSession, type PageUpload } from "./_browser-uploads";
import { startWanLink, type WanLinkOptions } from "./_wan-link";
import { presignPut } from "@/lib/storage/presign";

const MiB = 1024 * 1024;

type Options = {
  sizeMiB: number;
  smallMiB: number;
  concurrency: number;
  signBatch: number;
  recordEveryMs: number;
  rounds: number;
  wanRounds: number;
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
    // The app's setting where this shell has one (the bench passes it on to the app it starts).
    concurrency: value("concurrency", Number(envSource().UPLOAD_PARALLEL_PARTS ?? UPLOAD_PARALLEL_PARTS_DEFAULT)),
    signBatch: value("sign-batch", PART_URL_BATCH),
    recordEveryMs: value("record-every-ms", RECORD_PARTS_EVERY_MS),
    rounds: value("rounds", 5),
    wanRounds: value("wan-rounds", 1),
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

/** The baseline: the same bytes streamed through the minimal proxy server to storage. */
async function uploadProxied(proxyUrl: string, filePath: string, size: number): Promise<string> {
  const response = await putFileRange(`${proxyUrl}/`, filePath, 0, size);
  if (response.status !== 201) throw new Error(`proxy upload → ${response.status} ${response.body}`);
  return (JSON.parse(response.body) as { key: string }).key;
}

/** The modelled WAN link of (b): see tests/bench/_wan-link.ts for what it models and what not. */
const WAN_LINK: Omit<WanLinkOptions, "target"> = {
  delayMs: 20,
  windowBytes: 256 * 1024,
  aggregateBytesPerSecond: 100e6,
};

type GoodputRuns = { single: number[]; multipart: number[]; parts: number; phases: PageUpload["phases"][] };

/**
 * Single PUTs and page uploads of the same file from one browser, alternated so that load
 * from anything else on the machine falls on both; the best of each is compared.
 * The single PUT's URL is signed here, for the storage origin the app hands browsers
 * (R2_PUBLIC_ENDPOINT when set), with the app's own signer.
 */
async function measureGoodput(params: {
  label: string;
  appUrl: string;
  filePath: string;
  warmUpPath: string;
  size: number;
  rounds: number;
  timeoutMs: number;
}): Promise<GoodputRuns> {
  const session: BrowserSession = await openUploadPage(params.appUrl);
  try {
    // Warm-up: the page, its scripts and the routes, and the browser's connections to storage.
    await deleteObject((await uploadThroughPage(session.page, params.warmUpPath, params.timeoutMs)).key);
    const runs: GoodputRuns = { single: [], multipart: [], parts: 0, phases: [] };
    for (let round = 1; round <= params.rounds; round++) {
      console.log(`Goodput ${params.label}, round ${round}/${params.rounds} (${sizeLabel(params.size)}): a single PUT, then the upload page…`);
      const key = `bench/single-${randomUUID()}.mp4`;
      const url = await presignPut({ key, contentType: "video/mp4", contentLength: params.size, expiresInSeconds: 3600 });
      runs.single.push((await singlePutFromPage(session.page, params.filePath, url)).seconds);
      await deleteObject(key);
      const upload = await uploadThroughPage(session.page, params.filePath, params.timeoutMs);
      runs.multipart.push(upload.seconds);
      runs.parts = upload.parts;
      runs.phases.push(upload.phases);
      await deleteObject(upload.key);
    }
    return runs;
  } finally {
    await session.close();
  }
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
  const storageDir = options.storageDir ?? (await defaultStorageDir());
  // The files the browser reads sit beside the stored objects (in memory where there is room).
  const tmp = await mkdtemp(path.join(storageDir, "clipcrafter-bench-"));
  const filePath = path.join(tmp, "bench.mp4");
  const warmUpPath = path.join(tmp, "warm-up.mp4");
  console.log(`Writing a ${sizeLabel(large)} test file to ${filePath}…`);
  await writeBenchFile(filePath, large);
  await writeBenchFile(warmUpPath, 80 * MiB);

  // Storage runs in its own process, as `npm run dev` runs it: sharing this process's event
  // loop with the client would serialise the parallel part PUTs the comparison is about.
  // Its objects go to memory (/dev/shm) where the machine has it: each round writes 2 GiB,
  // and the disk's writeback, once it starts, throttles whichever upload is running then —
  // noise of this machine's disk, not a property of either way of uploading.
  const services = await startServicesProcess({ dataDir: storageDir, appOrigin: baseUrl });
  const sink = await startEventSink();
  setEnvForProcess(services.env);
  const appEnv: Record<string, string | undefined> = {
    ...envSource(),
    ...services.env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    // Local sign-in in a production build, allowed for a server listening on loopback alone
    // (startNextApp's default address).
    ALLOW_LOCAL_AUTH_IN_PRODUCTION: "loopback-only",
    HOSTNAME: "127.0.0.1",
    // The upload page and the Node-driven CPU measurement keep the same number of parts in flight.
    UPLOAD_PARALLEL_PARTS: String(options.concurrency),
    // Completion sends its real event, to a sink: the pipeline would otherwise start on the
    // benchmark's bytes inside the app and blur what the upload itself costs.
    // A production start refuses the Dev Server mode, so the app runs in cloud mode with
    // made-up keys and the SDK's event API pointed at the sink (nothing calls the app's
    // jobs endpoint, so the signing key is never used).
    INNGEST_MODE: "cloud",
    INNGEST_EVENT_KEY: "bench-event-key",
    INNGEST_SIGNING_KEY: `signkey-prod-${randomBytes(32).toString("hex")}`,
    INNGEST_EVENT_API_BASE_URL: sink.url,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  let stopApp: (() => Promise<void>) | undefined;
  let stopWan: (() => Promise<void>) | undefined;
  let stopProxy: (() => Promise<void>) | undefined;
  try {
    const proxy = await startProxyBaselineServer(services.env);
    stopProxy = proxy.stop;
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
      await uploadProxied(proxy.url, filePath, 80 * MiB),
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
      // is over, in the app and in the proxy server, so neither path is charged for the other's.
      settledSeconds.push(await settle(pid, QUIET_CPU_PER_SECOND));
      const direct = await measureProcess(pid, () => uploadDirect(api, filePath, size, options));
      rows.push({ label: "direct: presigned multipart", size, use: direct.use });
      directRequests.set(size, api.calls - callsBefore);
      if (size === large) directCpuByRoute = new Map([...api.cpuByRoute].map(([route, use]) => [route, { ...use }]));
      await deleteObject(direct.result.key);
      settledSeconds.push((await settle(pid, QUIET_CPU_PER_SECOND)) + (await settle(proxy.pid, QUIET_CPU_PER_SECOND)));
      const proxied = await measureProcess(proxy.pid, () => uploadProxied(proxy.url, filePath, size));
      rows.push({ label: "baseline: minimal proxy server", size, use: proxied.use });
      await deleteObject(proxied.result);
    }
    // (a) on plain loopback: the browser PUTs to storage itself.
    const loopback = await measureGoodput({ label: "on loopback", appUrl: baseUrl, filePath, warmUpPath, size: large, rounds: options.rounds, timeoutMs: 30 * 60_000 });

    // (b) over the modelled link: the same app on the same port, handing browsers URLs of
    // the link in front of storage (R2_PUBLIC_ENDPOINT, as a deployment names the origin
    // browsers reach storage at); its own storage calls stay direct.
    await app.stop();
    stopApp = undefined;
    const wan = await startWanLink({ target: services.env.R2_ENDPOINT!, ...WAN_LINK });
    stopWan = wan.stop;
    const wanApp = await startNextApp({ mode: "start", port, env: { ...appEnv, R2_PUBLIC_ENDPOINT: wan.url }, output: "inherit" });
    stopApp = wanApp.stop;
    setEnvForProcess({ ...services.env, R2_PUBLIC_ENDPOINT: wan.url });
    const overWan = await measureGoodput({ label: "over the modelled WAN link", appUrl: baseUrl, filePath, warmUpPath, size: large, rounds: options.wanRounds, timeoutMs: 60 * 60_000 });

    const goodput = (runs: GoodputRuns) => {
      const single = Math.min(...runs.single);
      const multipart = Math.min(...runs.multipart);
      return { single, multipart, ratio: single / multipart, singleMiBs: mib(large) / single, multipartMiBs: mib(large) / multipart };
    };
    const a = goodput(loopback);
    const b = goodput(overWan);
    const find = (label: string, size: number) => rows.find((r) => r.label.startsWith(label) && r.size === size)!.use;
    const directLarge = find("direct", large);
    const proxiedLarge = find("baseline", large);
    const directSmall = find("direct", small);
    const cpuRatio = directLarge.cpuSeconds / proxiedLarge.cpuSeconds;
    const rssLarge = mib(directLarge.peakRssGrowthBytes);
    const rssSmall = mib(directSmall.peakRssGrowthBytes);
    const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");

    const lines = [
      "",
      `ClipCrafter upload benchmark — next start (pid ${pid}) → s3rver on this machine (objects in ${storageDir}); ` +
        `goodput from headless Chromium on the upload page (up to ${options.concurrency} part PUTs at once, ${loopback.parts} parts of ${sizeLabel(large)})`,
      "",
      `${"goodput, create → verified completion".padEnd(44)}${"size".padStart(9)}${"best s".padStart(9)}${"MiB/s".padStart(9)}`,
      ...([
        ["loopback: single presigned PUT (fetch)", loopback.single],
        ["loopback: upload page (multipart)", loopback.multipart],
        ["WAN model: single presigned PUT (fetch)", overWan.single],
        ["WAN model: upload page (multipart)", overWan.multipart],
      ] as const).map(
        ([label, runs]) =>
          `${label.padEnd(44)}${sizeLabel(large).padStart(9)}${fmt(Math.min(...runs)).padStart(9)}${fmt(mib(large) / Math.min(...runs), 1).padStart(9)}   runs: ${runs.map((t) => fmt(t)).join(", ")} s`,
      ),
      ...([
        ["loopback", loopback],
        ["WAN model", overWan],
      ] as const).map(([label, runs]) => {
        const best = runs.phases[runs.multipart.indexOf(Math.min(...runs.multipart))]!;
        return `    ${label}, best page upload: create → first part ${fmt(best.setupSeconds)} s, parts ${fmt(best.partsSeconds)} s (${fmt(mib(large) / best.partsSeconds, 1)} MiB/s), last part → completed ${fmt(best.finishSeconds)} s`;
      }),
      "",
      `(a) loopback: multipart goodput ÷ single PUT, same browser (${sizeLabel(large)}): ${fmt(a.multipartMiBs, 0)} ÷ ${fmt(a.singleMiBs, 0)} MiB/s = ${fmt(a.ratio, 2)}   target ≥ 0.9   ${verdict(a.ratio >= 0.9)}`,
      `(b) modelled WAN link: the same ratio (${sizeLabel(large)}): ${fmt(b.multipartMiBs, 1)} ÷ ${fmt(b.singleMiBs, 1)} MiB/s = ${fmt(b.ratio, 2)}   target ≥ 2   ${verdict(b.ratio >= 2)}`,
      `    the link is a model in user space (no tc netem here): ${WAN_LINK.delayMs} ms each way, at most ${WAN_LINK.windowBytes / 1024} KiB in flight per connection ` +
        `(${fmt(WAN_LINK.windowBytes / MiB / ((2 * WAN_LINK.delayMs) / 1000), 1)} MiB/s per connection), ${fmt(WAN_LINK.aggregateBytesPerSecond / 1e6, 0)} MB/s in all; ` +
        `only browser ↔ storage crosses it (the API calls and the app's own storage calls stay on loopback); no loss, no jitter`,
      "",
      `The app's CPU for an upload (driven from Node with the web client's ${options.concurrency} parallel parts, part URLs with the upload then ${options.signBatch} at a time, ` +
        `parts recorded every ${fmt(options.recordEveryMs / 1000, 1)} s), beside the CPU of a minimal proxy server (node:http and the app's putObject, ` +
        `its own process: the least a server passing the bytes through spends) for the same bytes, and the floor of the stack:`,
      `CPU is on-CPU time from /proc/<pid>/task/*/schedstat (ns) over the measured process tree (the app's for direct, the proxy server's for the baseline); ` +
        `utime+stime ticks (10 ms) in brackets`,
      `${"path".padEnd(32)}${"size".padStart(9)}${"CPU s".padStart(11)}${"peak RSS +MiB".padStart(15)}${"wall s".padStart(9)}${"MiB/s".padStart(9)}`,
      ...rows.map(
        (r) =>
          `${r.label.padEnd(32)}${sizeLabel(r.size).padStart(9)}${fmt(r.use.cpuSeconds, 3).padStart(11)}${fmt(mib(r.use.peakRssGrowthBytes), 1).padStart(15)}${fmt(r.use.wallSeconds).padStart(9)}${fmt(mib(r.size) / r.use.wallSeconds, 0).padStart(9)}   (${fmt(r.use.tickCpuSeconds)} s in ticks)`,
      ),
      "",
      `app CPU for a direct upload ÷ a minimal proxy server's CPU for the same bytes (${sizeLabel(large)}): ${fmt(directLarge.cpuSeconds * 1000, 1)} ms ÷ ${fmt(proxiedLarge.cpuSeconds * 1000, 0)} ms = ${fmt(cpuRatio * 100, 2)}%   target ≤ 1%   ${verdict(cpuRatio <= 0.01)}`,
      `    floor on this machine with this stack, the least a verified multipart upload can cost the app: ` +
        `2 requests (create, complete) × ${fmt(floor.requestMs, 1)} ms (GET /api/health: Next.js routing and one query, median of ${FLOOR_SAMPLES}) + ` +
        `4 storage calls (create and complete the multipart upload, HEAD, read the first bytes) × ${fmt(floor.storageCallMs, 1)} ms (one AWS SDK call, median of ${FLOOR_SAMPLES} HEADs in this process) ` +
        `= ${fmt(floor.totalMs, 1)} ms = ${fmt((floor.totalMs / 1000 / proxiedLarge.cpuSeconds) * 100, 2)}% of the proxy server's figure`,
      `    each measured run started after a quiet second of the app (and, before a proxied run, of the proxy server), each under ${fmt(QUIET_CPU_PER_SECOND * 1000, 1)} ms of CPU, ` +
        `reached after ${settledSeconds.map((t) => fmt(t, 0)).join(", ")} s`,
      `    app idle CPU (no requests, over 5 s before the runs): ${fmt(idleCpuPerSecond * 1000, 2)} ms per second, ` +
        `${fmt(idleCpuPerSecond * directLarge.wallSeconds * 1000, 1)} ms over the direct upload's ${fmt(directLarge.wallSeconds, 1)} s — included above, not subtracted`,
      `    the direct upload made ${directRequests.get(large)} app requests (${sizeLabel(large)}) and ${directRequests.get(small)} (${sizeLabel(small)}); ` +
        `app CPU from each call's start to its answer (${sizeLabel(large)}): ` +
        [...directCpuByRoute].map(([route, use]) => `${route} ${use.calls} × ${fmt((use.cpuSeconds / use.calls) * 1000, 1)} ms`).join(", "),
      `    per extra ${sizeLabel(large - small)} (${sizeLabel(small)} → ${sizeLabel(large)}): direct ${plusMinus((directLarge.cpuSeconds - directSmall.cpuSeconds) * 1000)} ms, ` +
        `proxy server ${plusMinus((proxiedLarge.cpuSeconds - find("baseline", small).cpuSeconds) * 1000)} ms ` +
        `(${fmt(((directLarge.cpuSeconds - directSmall.cpuSeconds) / (proxiedLarge.cpuSeconds - find("baseline", small).cpuSeconds)) * 100, 1)}%); ` +
        `the rest of the direct figure is the per-upload cost of its app requests`,
      `    app peak RSS growth, direct: ${fmt(rssSmall, 1)} MiB (${sizeLabel(small)}), ${fmt(rssLarge, 1)} MiB (${sizeLabel(large)}); ` +
        `proxy server: ${fmt(mib(find("baseline", small).peakRssGrowthBytes), 1)} / ${fmt(mib(proxiedLarge.peakRssGrowthBytes), 1)} MiB   ` +
        `target ≤ 20 MiB, not growing with size   ${verdict(Math.max(rssSmall, rssLarge) <= 20)}`,
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
          wanLink: WAN_LINK,
          loopback,
          overWan,
          goodputRatioLoopback: a.ratio,
          goodputRatioWan: b.ratio,
          cpuRatio,
          rssSmall,
          rssLarge,
        },
        null,
        2,
      ),
    );
  } finally {
    await stopApp?.();
    await stopWan?.();
    await stopProxy?.();
    await sink.stop();
    await services.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}
