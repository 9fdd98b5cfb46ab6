import type { ProjectRow, ProjectStatus } from "@/lib/db/queries/projects";
import type { ClipRow } from "@/lib/db/queries/clips";
import type { TimelineEntry, TimelineKind } from "@/lib/db/queries/project-events";
import { presignGet, presignGets } from "@/lib/storage/presign";
import { env } from "@/lib/env";

// The JSON shapes of the Projects API. Pages render the same shapes, so what a browser
// sees and what a script reads never drift apart.

/** Presigned links in responses outlive a long viewing session but not a day. */
export const MEDIA_URL_TTL_SECONDS = 60 * 60;

/** Statuses after which nothing changes without a person acting (retry, delete). */
export const settledStatuses: readonly ProjectStatus[] = ["ready", "error", "canceled", "expired"];

export function isSettled(status: ProjectStatus): boolean {
  return settledStatuses.includes(status);
}

export type ProjectError = { code: string; message: string } | null;

/** Where a project stands: the part of every view of it that changes as it is processed. */
type ProjectState = {
  id: string;
  title: string;
  status: ProjectStatus;
  stage: string | null;
  progress: number;
  error: ProjectError;
};

export type ProjectSummary = ProjectState & {
  sourceType: "upload" | "url";
  thumbnailUrl: string | null;
  durationSeconds: number | null;
  createdAt: string;
  updatedAt: string;
};

export type ClipView = {
  id: string;
  startSeconds: number;
  endSeconds: number;
  url: string;
  thumbnailUrl: string;
  shareUrl: string;
};

export type TimelineView = { at: string; kind: TimelineKind; message: string };

export type ProjectDetails = ProjectState & {
  source: { type: "upload" | "url"; url: string | null; key: string | null; uploadCompletedAt: string | null };
  media: {
    durationSeconds: number | null;
    width: number | null;
    height: number | null;
    videoCodec: string | null;
    audioCodec: string | null;
  };
  thumbnailUrl: string | null;
  playbackUrl: string | null;
  clips: ClipView[];
  timeline: TimelineView[];
  createdAt: string;
  updatedAt: string;
};

function projectError(row: ProjectRow): ProjectError {
  if (row.status !== "error" && !row.errorCode) return null;
  return {
    code: row.errorCode ?? "unknown_error",
    message: row.errorMessage ?? "Processing stopped without saying why. Try again, or upload the video again.",
  };
}

function projectState(row: ProjectRow): ProjectState {
  return { id: row.id, title: row.title, status: row.status, stage: row.stage, progress: row.progress, error: projectError(row) };
}

export function shareUrl(shareToken: string): string {
  return new URL(`/c/${encodeURIComponent(shareToken)}`, env().APP_URL).toString();
}

export async function toProjectSummary(row: ProjectRow): Promise<ProjectSummary> {
  return {
    ...projectState(row),
    sourceType: row.sourceType,
    thumbnailUrl: await presignGet({ ownerId: row.userId, key: row.thumbnailKey, expiresInSeconds: MEDIA_URL_TTL_SECONDS }),
    durationSeconds: row.durationSeconds,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function toProjectDetails(
  row: ProjectRow,
  clips: ClipRow[],
  timeline: TimelineEntry[],
): Promise<ProjectDetails> {
  // Every key is checked against the owner before it is signed (lib/storage/owned-keys.ts);
  // one that is not theirs gets no URL, and a clip without both of its files is left out.
  const [thumbnailUrl, playbackUrl, ...clipUrls] = await presignGets({
    ownerId: row.userId,
    keys: [row.thumbnailKey, row.playbackKey, ...clips.flatMap((clip) => [clip.key, clip.thumbnailKey])],
    expiresInSeconds: MEDIA_URL_TTL_SECONDS,
  });
  return {
    ...projectState(row),
    source: {
      type: row.sourceType,
      url: row.sourceUrl,
      key: row.r2Key,
      uploadCompletedAt: row.uploadCompletedAt?.toISOString() ?? null,
    },
    media: {
      durationSeconds: row.durationSeconds,
      width: row.width,
      height: row.height,
      videoCodec: row.videoCodec,
      audioCodec: row.audioCodec,
    },
    thumbnailUrl: thumbnailUrl ?? null,
    playbackUrl: playbackUrl ?? null,
    clips: clips.flatMap((clip, i): ClipView[] => {
      const [url, thumbnailUrl] = [clipUrls[2 * i], clipUrls[2 * i + 1]];
      if (!url || !thumbnailUrl) return [];
      return [{ id: clip.id, startSeconds: clip.startSeconds, endSeconds: clip.endSeconds, url, thumbnailUrl, shareUrl: shareUrl(clip.shareToken) }];
    }),
    timeline: timeline.map((entry) => ({ at: entry.at.toISOString(), kind: entry.kind, message: entry.message })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
