import type { Db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { formatDuration } from "@/lib/format";
import { saveMediaInfo, type RunClaim } from "@/lib/db/queries/processing";
import { probe } from "@/lib/media/ffprobe";
import { UPLOADED_VIDEO_DEMUXERS } from "@/lib/media/media-input";
import { MediaToolError } from "@/lib/media/run-media-tool";
import { checkMediaLimits, describeMedia, type MediaInfo } from "./describe-media";
import { explainLimitFailure } from "./make-web-mp4";
import { ProcessingError, RunNoLongerHoldsProject } from "./processing-error";
import { completeStage, enterStage, recordingFailures } from "./run-state";
import { readVerifiedSource, type VerifiedSource } from "./verified-source";

export const PROBE_TIMEOUT_MS = 120_000;

const ACCEPTED = "MP4, MOV, M4V, WebM, MKV or AVI";

// Network trouble between ffprobe and storage is worth a retry; anything else ffprobe
// says about the bytes is a verdict on the file.
const STORAGE_TROUBLE =
  /Connection refused|Connection reset|Connection timed out|timed out|Server returned [45]\d\d|HTTP error [45]\d\d|Network is unreachable|Name or service not known|Temporary failure|Input\/output error/i;

/** What ffprobe's refusal means for a person. Storage trouble is rethrown as is. */
export function explainProbeFailure(error: MediaToolError): ProcessingError | MediaToolError {
  if (error.failure === "memory_limit") return explainLimitFailure(error, "Reading this file") as ProcessingError;
  if (error.failure !== "failed") return error;
  const text = error.stderrTail;
  const refused = text.match(/\[(\w+) @ [^\]]*\] Format not on whitelist/);
  if (refused) {
    const format = refused[1] === "hls" ? "an HLS playlist" : refused[1] === "concat" ? "a concat list" : `a ${refused[1]} file`;
    return new ProcessingError(
      "unsupported_format",
      `This file is ${format}, not a video container we accept. Upload the video itself: ${ACCEPTED}.`,
      { format: refused[1] },
    );
  }
  if (/moov atom not found/i.test(text)) {
    return new ProcessingError(
      "damaged_file",
      "This MP4/MOV file is incomplete: it ends before its index (the 'moov' box), which happens when a recording or upload is cut off. Upload the complete file.",
    );
  }
  if (/Server returned 404|HTTP error 404/.test(text)) {
    return new ProcessingError("source_missing", "The uploaded file is no longer in storage. Upload the video again.");
  }
  if (STORAGE_TROUBLE.test(text)) return error;
  return new ProcessingError(
    "not_a_video",
    `This file is not a video we can read. Upload a video file: ${ACCEPTED}.`,
    { probe: text.trim().split("\n").slice(-2).join(" | ").slice(0, 300) },
  );
}

export function summarizeMedia(media: MediaInfo): string {
  const v = media.video;
  const audio = media.audio ? media.audio.codec.toUpperCase() : "no audio";
  const turned = v.rotation ? `, rotated ${v.rotation}°` : "";
  return `${v.displayWidth}×${v.displayHeight}, ${formatDuration(media.durationSeconds)}, ${v.codec.toUpperCase()} / ${audio}${turned}.`;
}

/** ffprobe on the stored source: what it is, refused with a reason when we cannot or will not process it. */
export async function probeSource(
  db: Db,
  claim: RunClaim,
  params: { source: VerifiedSource; maxDurationSeconds: number; planName: string },
): Promise<MediaInfo> {
  return recordingFailures(db, claim, "probe", async () => {
    await enterStage(db, claim, "probe");
    let media: MediaInfo;
    try {
      // check-source has looked at the object already; the read under its ETag and the look
      // after it decide here.
      const output = await readVerifiedSource(
        claim.userId,
        params.source,
        (input) => probe(input, { demuxers: UPLOADED_VIDEO_DEMUXERS, timeoutMs: PROBE_TIMEOUT_MS }),
        { lookFirst: false },
      );
      media = describeMedia(output);
    } catch (error) {
      throw error instanceof MediaToolError ? explainProbeFailure(error) : error;
    }
    checkMediaLimits(media, { ...params, maxPixels: env().MEDIA_MAX_PIXELS });
    const saved = await saveMediaInfo(db, {
      ...claim,
      media: {
        durationSeconds: media.durationSeconds,
        width: media.video.displayWidth,
        height: media.video.displayHeight,
        videoCodec: media.video.codec,
        audioCodec: media.audio?.codec ?? null,
        details: media,
      },
    });
    if (!saved) throw new RunNoLongerHoldsProject(claim.projectId);
    await completeStage(db, claim, "probe", summarizeMedia(media), { media });
    return media;
  });
}
