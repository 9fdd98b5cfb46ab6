import { NonRetriableError } from "inngest";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/lib/db/client";
import { makeClips } from "@/lib/processing/make-clips";
import { makeThumbnail } from "@/lib/processing/make-thumbnail";
import { makeThumbnailAndClips } from "@/lib/processing/make-thumbnail-and-clips";
import { enterStage } from "@/lib/processing/run-state";

// How the thumbnail and the clips, made side by side, end the step together. The two
// parts and the stage write are replaced; their own behaviour is tested against real
// Postgres, storage and ffmpeg in tests/integration/processing.

vi.mock("@/lib/processing/make-thumbnail", () => ({ makeThumbnail: vi.fn() }));
vi.mock("@/lib/processing/make-clips", () => ({ makeClips: vi.fn() }));
vi.mock("@/lib/processing/run-state", () => ({ enterStage: vi.fn() }));

const db = {} as Db;
const claim = { projectId: "p", userId: "u", runId: "r" };
const clip = { position: 1, startSeconds: 0, endSeconds: 12, copy: true };
const params = { playbackKey: "k", durationSeconds: 60, keyframes: [0], clips: [clip] };
const thumbnail = { key: "thumb.jpg", atSeconds: 6 };
const made = [{ position: 1, key: "clip-1.mp4", thumbnailKey: "clip-1.jpg", shareToken: "t" }];

beforeEach(() => {
  vi.mocked(makeThumbnail).mockReset();
  vi.mocked(makeClips).mockReset();
  vi.mocked(enterStage).mockReset().mockResolvedValue(undefined);
});

describe("thumbnail and clips side by side", () => {
  it("starts both at once and shows the clips stage only once the thumbnail is done", async () => {
    const order: string[] = [];
    let finishThumbnail!: () => void;
    vi.mocked(makeThumbnail).mockImplementation(async () => {
      order.push("thumbnail started");
      await new Promise<void>((resolve) => (finishThumbnail = resolve));
      order.push("thumbnail done");
      return thumbnail;
    });
    vi.mocked(makeClips).mockImplementation(async () => {
      order.push("clips started");
      finishThumbnail();
      return made;
    });
    vi.mocked(enterStage).mockImplementation(async (_db, _claim, stage) => {
      order.push(`stage ${stage}`);
    });

    await expect(makeThumbnailAndClips(db, claim, params)).resolves.toEqual({ thumbnail, clips: made });
    expect(order).toEqual(["thumbnail started", "clips started", "thumbnail done", "stage clips"]);
  });

  it("fails with the thumbnail's error and leaves the stage on the thumbnail when only the thumbnail failed", async () => {
    vi.mocked(makeThumbnail).mockRejectedValue(new Error("storage briefly unavailable"));
    vi.mocked(makeClips).mockResolvedValue(made);

    await expect(makeThumbnailAndClips(db, claim, params)).rejects.toThrow("storage briefly unavailable");
    expect(enterStage).not.toHaveBeenCalled();
  });

  it("fails with the error that ended the run when the other part failed only with a retriable one", async () => {
    vi.mocked(makeThumbnail).mockRejectedValue(new Error("connect ECONNREFUSED"));
    vi.mocked(makeClips).mockRejectedValue(new NonRetriableError("Cutting the highlight clips would be larger than the limit"));

    await expect(makeThumbnailAndClips(db, claim, params)).rejects.toBeInstanceOf(NonRetriableError);
  });

  it("waits for the clips to finish before failing with the thumbnail's error", async () => {
    let clipsFinished = false;
    vi.mocked(makeThumbnail).mockRejectedValue(new Error("thumbnail failed"));
    vi.mocked(makeClips).mockImplementation(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      clipsFinished = true;
      return made;
    });

    await expect(makeThumbnailAndClips(db, claim, params)).rejects.toThrow("thumbnail failed");
    expect(clipsFinished).toBe(true);
  });
});
