// `npm run bench processing`: the processing pipeline on two 60 s 1280×720 videos, with
// its baselines measured side by side in the same run:
//  - H.264/AAC MP4: the remux (ffmpeg, reading the upload from storage) ÷ `cp` of the
//    same file; time to ready from the upload's completion call.
//  - VP9/Opus WebM: the pipeline's transcode stage ÷ ffmpeg run by hand on the local file
//    with the same flags; time to ready ÷ the video's duration.
// Services (Postgres, S3-protocol storage) run in a child process, as with `npm run dev`.
// Wall-clock figures move with whatever else the machine runs, so each comes with the CPU
// seconds behind it (this process and its ffmpeg children, from /proc), which do not.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { startServicesProcess } from "./_services";
import { h264Aac720p, vp9Opus720p } from "./_media";

const COMPLETE_ROUTE = "app/api/uploads/[uploadId]/complete/route.ts";
const clockTicks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** CPU seconds of this process plus its exited children (ffmpeg, ffprobe). */
function cpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  // utime, stime, cutime, cstime (fields 14–17 of proc(5), 0-based 11–14 after the name)
  return (f[11]! + f[12]! + f[13]! + f[14]!) / clockTicks;
}

type Mark = { stage: string; wall: number; cpu: number };
type Run = { seconds: number; cpu: number; from: string; marks: Mark[]; timeline: { kind: string; data: Record<string, any> | null }[] };

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const load = () => os.loadavg()[0]!.toFixed(1);

function timeCommand(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`${command} exited ${code}`))));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall and CPU seconds per stage, from the stage changes seen while polling the project. */
function breakdown(run: Run): string {
  return run.marks
    .slice(0, -1)
    .map((mark, i) => {
      const next = run.marks[i + 1]!;
      return `${mark.stage} ${fmt(next.wall - mark.wall)} (${fmt(next.cpu - mark.cpu)})`;
    })
    .join(" · ");
}

function stageSpan(run: Run, stage: string): { wall: number; cpu: number } {
  const i = run.marks.findIndex((m) => m.stage === stage);
  const [mark, next] = [run.marks[i], run.marks[i + 1]];
  if (!mark || !next) throw new Error(`no ${stage} stage in the run`);
  return { wall: next.wall - mark.wall, cpu: next.cpu - mark.cpu };
}

export async function run(args: string[]): Promise<void> {
  const only = args[0];
  if (only && only !== "h264" && only !== "vp9") throw new Error(`unknown input ${only}: h264 or vp9 (or nothing, for both)`);
  console.log(`processing benchmark — ${os.cpus().length} CPU cores, load average ${load()} at start`);
  console.log("preparing 60 s 1280×720 inputs (made once, kept in the temp folder)…");
  const h264File = only !== "vp9" ? await h264Aac720p() : "";
  const vp9File = only !== "h264" ? await vp9Opus720p() : "";

  const services = await startServicesProcess();
  const scratch = await mkdtemp(path.join(os.tmpdir(), "clipcrafter-bench-"));
  const { setEnvForProcess } = await import("@/lib/env");
  setEnvForProcess({ ...services.env, LOG_LEVEL: "error", MEDIA_TEMP_DIR: path.join(scratch, "media") });
  const { closeDb, db } = await import("@/lib/db/client");
  try {
    const { createTestUser } = await import("@/tests/support/users");
    const user = await createTestUser("bench");
    const viaCompletion = existsSync(path.join(process.cwd(), COMPLETE_ROUTE));
    // A running server has its job runner and route modules loaded: load them before timing.
    (await import("@/lib/jobs/job-functions")).registerJobFunctions(async () => (await import("@/inngest")).jobFunctions());
    await (await import("@/lib/jobs/send-event")).embeddedRunner();
    if (viaCompletion) await Promise.all([import("@/app/api/uploads/route"), import("@/app/api/uploads/[uploadId]/complete/route")]);

    const runToReady = async (file: string, filename: string, contentType: string): Promise<Run> => {
      const bytes = await readFile(file);
      let projectId: string;
      let start: () => Promise<void>;
      let from: string;
      if (viaCompletion) {
        const { callRoute } = await import("@/tests/support/routes");
        const createRoute = await import("@/app/api/uploads/route");
        const completeRoute = await import("@/app/api/uploads/[uploadId]/complete/route");
        const created = await callRoute(createRoute.POST as never, { body: { filename, size: bytes.length, contentType }, headers: user.auth });
        if (created.status !== 201 || created.body.method !== "single") {
          throw new Error(`upload not created as a single PUT: ${created.status} ${JSON.stringify(created.body)}`);
        }
        const put = await fetch(created.body.url, { method: "PUT", headers: created.body.headers, body: bytes });
        if (!put.ok) throw new Error(`PUT to storage failed: ${put.status}`);
        projectId = created.body.projectId;
        from = "POST /api/uploads/:id/complete";
        start = async () => {
          const done = await callRoute(completeRoute.POST as never, { params: { uploadId: created.body.uploadId }, body: {}, headers: user.auth });
          if (done.status !== 200) throw new Error(`completion failed: ${done.status} ${JSON.stringify(done.body)}`);
        };
      } else {
        const { putObject } = await import("@/lib/storage/objects");
        const { sendEvent } = await import("@/lib/jobs/send-event");
        projectId = randomUUID();
        const key = `uploads/${user.id}/${randomUUID()}/${filename}`;
        await putObject(key, bytes, { contentType });
        await db()`insert into projects (id, user_id, title, status, source_type, r2_key, upload_completed_at)
                   values (${projectId}, ${user.id}, ${filename}, 'queued', 'upload', ${key}, now())`;
        from = "the video/process send (the completion route does not exist yet)";
        start = () => sendEvent({ name: "video/process", id: `process-${projectId}`, data: { projectId, userId: user.id } });
      }

      const t0 = performance.now();
      const cpu0 = cpuSeconds();
      const marks: Mark[] = [{ stage: "completion", wall: 0, cpu: 0 }];
      await start();
      for (;;) {
        const [row] = await db()<{ status: string; stage: string | null; errorMessage: string | null }[]>`
          select status, stage, error_message as "errorMessage" from projects where id = ${projectId}`;
        const stage = row?.status === "ready" ? "ready" : (row?.stage ?? "queued");
        if (stage !== marks.at(-1)!.stage) marks.push({ stage, wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - cpu0 });
        if (row?.status === "error") throw new Error(`${filename} ended in error: ${row.errorMessage}`);
        if (row?.status === "ready") break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const timeline = await db()<Run["timeline"]>`select kind, data from project_events where project_id = ${projectId} order by id`;
      const end = marks.at(-1)!;
      return { seconds: end.wall, cpu: end.cpu, from, marks, timeline };
    };
    const stageData = (r: Run, stage: string) => r.timeline.find((e) => e.kind === "stage_completed" && e.data?.stage === stage)?.data;

    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

    // --- H.264/AAC: remux vs cp, time to ready -------------------------------------------
    const h264Bench = async (): Promise<string[]> => {
      const h264Size = (await stat(h264File)).size;
      const cpTimes: number[] = [];
      for (let i = 0; i < 3; i++) cpTimes.push(await timeCommand("cp", [h264File, path.join(scratch, `copy-${i}.mp4`)]));
      const cp = median(cpTimes);
      // ffmpeg's remux with the same options on the local file: separates ffmpeg from reading storage.
      const localRemux = await timeCommand("ffmpeg", [
        "-nostdin", "-loglevel", "error", "-y", "-i", h264File, "-map", "0:v:0", "-map", "0:a:0", "-c", "copy",
        "-movflags", "+faststart", path.join(scratch, "local-remux.mp4"),
      ]);
      const loadBefore = load();
      // Three uploads of the file, one after another: the median run is reported, all three shown.
      const runs: Run[] = [];
      for (let i = 1; i <= 3; i++) runs.push(await runToReady(h264File, `camera-${i}.mp4`, "video/mp4"));
      const h264 = [...runs].sort((a, b) => a.seconds - b.seconds)[1]!;
      const remux = stageData(h264, "remux");
      if (!remux) throw new Error("the H.264 run did not remux");
      const remuxSeconds = remux.ffmpegMs / 1000;
      return [
        `H.264/AAC 1280×720 30 fps 60 s MP4 (${mb(h264Size)}, ${((h264Size * 8) / 60 / 1e6).toFixed(1)} Mbit/s), load average ${loadBefore} before:`,
        `  remux ÷ cp:                 ${fmt(remuxSeconds / cp, 1)}×  (ffmpeg remux, reading the upload from storage: ${fmt(remuxSeconds, 3)} s; cp of the same file: ${fmt(cp, 3)} s, median of 3)`,
        `                              (the same remux local file → local file: ${fmt(localRemux, 3)} s, ${fmt(localRemux / cp, 1)}× cp)`,
        `  time to ready:              ${fmt(h264.seconds)} s  (median of ${runs.map((r) => fmt(r.seconds)).join(", ")} s; ${fmt(h264.cpu)} CPU s; from ${h264.from}; target ≤ 2 s)`,
        `  stages, wall s (CPU s):     ${breakdown(h264)}  (the median run)`,
      ];
    };

    // --- VP9/Opus: raw ffmpeg vs the pipeline's transcode, time to ready ------------------
    const vp9Bench = async (): Promise<string[]> => {
      const vp9Size = (await stat(vp9File)).size;
      const rawTranscode = async (): Promise<{ wall: number; cpu: number }> => {
        const { probe } = await import("@/lib/media/ffprobe");
        const { ffmpegArgs } = await import("@/lib/media/ffmpeg");
        const { runMediaTool } = await import("@/lib/media/run-media-tool");
        const { UPLOADED_VIDEO_DEMUXERS } = await import("@/lib/media/media-input");
        const { describeMedia } = await import("@/lib/processing/describe-media");
        const { planWebMp4, webMp4OutputArgs } = await import("@/lib/processing/plan-web-mp4");
        const { env } = await import("@/lib/env");
        const input = { file: vp9File };
        const media = describeMedia(await probe(input, { demuxers: UPLOADED_VIDEO_DEMUXERS, timeoutMs: 60_000 }));
        const { loudnessSamplesOutput } = await import("@/lib/media/loudness");
        const outputPath = path.join(scratch, `raw-${randomUUID()}.mp4`);
        const samplesPath = path.join(scratch, `raw-${randomUUID()}.s16le`);
        const plan = planWebMp4(media);
        // The pipeline's command line exactly, loudness samples for clip selection included.
        const args = ffmpegArgs({
          input,
          demuxers: UPLOADED_VIDEO_DEMUXERS,
          outputArgs: webMp4OutputArgs(plan, media, { preset: env().FFMPEG_PRESET }),
          outputPath,
          maxOutputBytes: env().OUTPUT_MAX_BYTES,
          extraOutputs: plan.audio !== "none" ? loudnessSamplesOutput(samplesPath, env().OUTPUT_MAX_BYTES) : undefined,
          onProgress: () => {},
        });
        const cpu0 = cpuSeconds();
        const { elapsedMs } = await runMediaTool({ tool: "ffmpeg", args, timeoutMs: 30 * 60_000, onStdout: () => {} });
        const cpu = cpuSeconds() - cpu0;
        await Promise.all([rm(outputPath, { force: true }), rm(samplesPath, { force: true })]);
        return { wall: elapsedMs / 1000, cpu };
      };
      const rawBefore = await rawTranscode();
      const loadBefore = load();
      const vp9 = await runToReady(vp9File, "recording.webm", "video/webm");
      const rawAfter = await rawTranscode();
      const raw = { wall: (rawBefore.wall + rawAfter.wall) / 2, cpu: (rawBefore.cpu + rawAfter.cpu) / 2 };
      // The same pipeline with FFMPEG_PRESET=ultrafast, the setting's fastest choice.
      const { env } = await import("@/lib/env");
      const defaultPreset = env().FFMPEG_PRESET;
      setEnvForProcess({ FFMPEG_PRESET: "ultrafast" });
      const fastest = await runToReady(vp9File, "recording-ultrafast.webm", "video/webm").finally(() =>
        setEnvForProcess({ FFMPEG_PRESET: defaultPreset }),
      );
      const transcode = stageData(vp9, "transcode");
      if (!transcode) throw new Error("the VP9 run did not transcode");
      // The stage's CPU includes what follows the ffmpeg run (upload, keyframe and loudness analysis).
      const stage = stageSpan(vp9, "transcode");
      const ffmpegSeconds = transcode.ffmpegMs / 1000;
      return [
        `VP9/Opus 1280×720 30 fps 60 s WebM (${mb(vp9Size)}), load average ${loadBefore} before:`,
        `  raw ÷ transcode:            ${fmt(raw.wall / ffmpegSeconds, 3)}  (target ≥ 0.95; the pipeline's transcode, ffmpeg reading the upload from storage: ${fmt(ffmpegSeconds)} s; ` +
          `raw ffmpeg, same flags, local file: ${fmt(rawBefore.wall)} s before and ${fmt(rawAfter.wall)} s after)`,
        `                              (CPU: raw ${fmt(raw.cpu)} s; the whole transcode stage, with upload and analysis, ${fmt(stage.cpu)} s → ${fmt(raw.cpu / stage.cpu, 3)})`,
        `  time to ready ÷ duration:   ${fmt(vp9.seconds / 60, 3)}  (${fmt(vp9.seconds)} s, ${fmt(vp9.cpu)} CPU s, for 60 s, preset ${defaultPreset}; from ${vp9.from}; target ≤ 0.25)`,
        `                              (raw ffmpeg alone with ${defaultPreset}, on ${os.cpus().length} cores: ${fmt(raw.wall / 60, 3)} × the duration — the floor for this preset here)`,
        `  with FFMPEG_PRESET=ultrafast: ${fmt(fastest.seconds / 60, 3)}  (${fmt(fastest.seconds)} s, ${fmt(fastest.cpu)} CPU s; stages ${breakdown(fastest)})`,
        `  stages, wall s (CPU s):     ${breakdown(vp9)}`,
      ];
    };

    const lines = [...(only !== "vp9" ? await h264Bench() : []), ...(only !== "h264" ? await vp9Bench() : [])];
    console.log("");
    for (const line of lines) console.log(line);
    console.log(`load average at end: ${load()}`);
  } finally {
    await closeDb();
    await services.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}
