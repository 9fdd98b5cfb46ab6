import { inputArgs, secretsOf, type MediaInput } from "./media-input";
import { runMediaTool } from "./run-media-tool";

export type ProbeStream = {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  bits_per_raw_sample?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  bit_rate?: string;
  channels?: number;
  sample_rate?: string;
  duration?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
};

export type ProbeOutput = {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string; size?: string; nb_streams?: number };
};

const PROBE_STDOUT_LIMIT = 4 * 1024 * 1024;

// ffprobe decodes a few frames to learn a stream's parameters, on a thread per core unless
// told otherwise: one thread, as for any one-frame decode — the fewest a run can have, and
// quicker than starting more for a few frames (~15 ms of each probe of a web MP4 here).
// It gets no -max_pixels: a decoder refusing the picture would erase the size the
// container declares (ffprobe then reports 0×0), and that size is what the pixel cap is
// checked against; the memory limit bounds that first decode instead.
const PROBE_THREADS = ["-threads", "1"];

/** ffprobe's JSON description of a file's container and streams. */
export async function probe(input: MediaInput, options: { demuxers: readonly string[]; timeoutMs: number }): Promise<ProbeOutput> {
  const { stdout } = await runMediaTool({
    tool: "ffprobe",
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      ...inputArgs(input, options.demuxers, PROBE_THREADS),
      "-print_format",
      "json",
      "-show_format",
      "-show_streams",
    ],
    timeoutMs: options.timeoutMs,
    captureStdoutBytes: PROBE_STDOUT_LIMIT,
    redact: secretsOf(input),
  });
  return JSON.parse(stdout) as ProbeOutput;
}

/**
 * One read of the packets (no decoding): the presentation times of the first video
 * stream's keyframes, in seconds, and the container's duration as `probe` reports it.
 */
export async function keyframesAndDuration(
  input: MediaInput,
  options: { demuxers: readonly string[]; timeoutMs: number },
): Promise<{ keyframes: number[]; durationSeconds: number | null }> {
  const keyframes: number[] = [];
  let durationSeconds: number | null = null;
  let pending = "";
  // csv with section names: "packet,<pts_time>,<flags>" lines, then "format,<duration>".
  const read = (line: string) => {
    const [section, value, flags] = line.split(",");
    if (!value || value === "N/A") return;
    if (section === "packet" && flags?.startsWith("K")) keyframes.push(Number(value));
    else if (section === "format") durationSeconds = Number(value);
  };
  await runMediaTool({
    tool: "ffprobe",
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      ...inputArgs(input, options.demuxers, PROBE_THREADS),
      "-select_streams",
      "v:0",
      "-show_entries",
      "packet=pts_time,flags:format=duration",
      "-print_format",
      "csv=p=1",
    ],
    timeoutMs: options.timeoutMs,
    redact: secretsOf(input),
    onStdout: (chunk) => {
      const lines = (pending + chunk.toString("utf8")).split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(read);
    },
  });
  read(pending);
  return {
    keyframes: keyframes.filter(Number.isFinite).sort((a, b) => a - b),
    durationSeconds: durationSeconds !== null && Number.isFinite(durationSeconds) ? durationSeconds : null,
  };
}
