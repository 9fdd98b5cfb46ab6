"use client";

import AwsS3 from "@uppy/aws-s3";
import Uppy, { type Body, type Meta, type UppyEventMap, type UppyFile } from "@uppy/core";
import { useCallback, useEffect, useMemo, useReducer, useState, useSyncExternalStore } from "react";
import { ApiError } from "@/lib/api-client/request";
import { uploadsApi } from "@/lib/api-client/uploads";
import { parseEntries, ResumeStore, type StoredUpload } from "@/lib/upload-client/resume-store";
import { TransferRate } from "@/lib/upload-client/transfer-rate";
import { PART_RETRY_DELAYS_MS, UploadBridge } from "@/lib/upload-client/upload-bridge";

export const acceptedVideoTypes = [".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", "video/*"];

export type QueuedUploadPhase = "preparing" | "uploading" | "paused" | "finishing" | "done" | "failed";

export type QueuedUpload = {
  id: string;
  name: string;
  size: number;
  phase: QueuedUploadPhase;
  bytesUploaded: number;
  percent: number;
  bytesPerSecond: number | null;
  secondsLeft: number | null;
  resumedBytes: number;
  error: string | null;
  projectId: string | null;
};

type Extra = {
  phase: QueuedUploadPhase;
  bytesPerSecond: number | null;
  secondsLeft: number | null;
  error: string | null;
  projectId: string | null;
  completionFailed: boolean;
};

type Action =
  | { type: "set"; id: string; patch: Partial<Extra> }
  | { type: "remove"; id: string };

const initialExtra: Extra = {
  phase: "preparing",
  bytesPerSecond: null,
  secondsLeft: null,
  error: null,
  projectId: null,
  completionFailed: false,
};

function extras(state: Record<string, Extra>, action: Action): Record<string, Extra> {
  if (action.type === "remove") {
    const { [action.id]: _removed, ...rest } = state;
    return rest;
  }
  return { ...state, [action.id]: { ...(state[action.id] ?? initialExtra), ...action.patch } };
}

const RATE_UPDATE_MS = 250;

/** What a person reads when an upload stops: the server's reason, or what to do about the network or storage. */
function describeUploadError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  // The S3 plugin's failed PUTs carry the request as `source`: status 0 is a dropped connection.
  const status = (error as { source?: { status?: unknown } } | null)?.source?.status;
  if (status === 0 || /network|unknown error/i.test(message)) {
    return "The connection to storage dropped. Retry to continue from the parts already stored.";
  }
  if (typeof status === "number" && status >= 300) return `Storage refused the upload (HTTP ${status}). Retry, or remove the file and add it again.`;
  return message || "The upload stopped. Retry to continue.";
}

/**
 * Uppy's store changes on every progress event of every part in flight — with six parts
 * at once, over a hundred times a second — and the rows need a few renders a second.
 * Rendering on each one takes CPU from the upload itself on a small machine.
 */
const RENDER_FILES_EVERY_MS = 200;

function subscribeCoalesced(uppy: Uppy<Meta, Body>, listener: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const unsubscribe = uppy.store.subscribe(() => {
    timer ??= setTimeout(() => {
      timer = null;
      listener();
    }, RENDER_FILES_EVERY_MS);
  });
  return () => {
    if (timer) clearTimeout(timer);
    unsubscribe();
  };
}

type Files = Record<string, UppyFile<Meta, Body>>;
const noFiles: Files = {};

/**
 * The upload page's state: an Uppy instance with the S3 plugin wired to the Uploads API
 * through an UploadBridge, and per-file rows with progress, speed, time left and errors.
 */
export function useUploadQueue(options: {
  userId: string;
  maxFileBytes: number;
  /** Part PUTs of one large file in flight at once (the UPLOAD_PARALLEL_PARTS setting). */
  parallelParts: number;
  onCompleted?: () => void;
}) {
  const { userId, maxFileBytes, parallelParts, onCompleted } = options;
  const [store] = useState(() => new ResumeStore(userId));
  const [bridge] = useState(() => new UploadBridge(store, typeof window === "undefined" ? undefined : window.location));
  const [uppy] = useState(() => (typeof window === "undefined" ? null : createUppy(bridge, maxFileBytes, parallelParts)));
  const [state, dispatch] = useReducer(extras, {});
  const [rejected, setRejected] = useState<{ name: string; message: string }[]>([]);

  const files = useSyncExternalStore(
    useCallback((listener: () => void) => (uppy ? subscribeCoalesced(uppy, listener) : () => {}), [uppy]),
    () => uppy?.getState().files ?? noFiles,
    () => noFiles,
  );

  const storedSnapshot = useSyncExternalStore(store.subscribe, store.snapshot, () => "{}");
  const unfinished = useMemo(() => {
    const active = new Set(Object.values(files).map((f) => bridge.planFor(f.id)?.uploadId));
    return Object.values(parseEntries(storedSnapshot)).filter((u) => !active.has(u.uploadId));
  }, [bridge, files, storedSnapshot]);

  const complete = useCallback(
    async (fileId: string) => {
      dispatch({ type: "set", id: fileId, patch: { phase: "finishing", error: null, completionFailed: false } });
      try {
        const completed = await bridge.complete(fileId);
        dispatch({ type: "set", id: fileId, patch: { phase: "done", projectId: completed.projectId, secondsLeft: 0 } });
        onCompleted?.();
      } catch (error) {
        dispatch({ type: "set", id: fileId, patch: { phase: "failed", error: describeUploadError(error), completionFailed: true } });
      }
    },
    [bridge, onCompleted],
  );

  useEffect(() => {
    if (!uppy) return;
    const rates = new Map<string, { rate: TransferRate; shownAt: number }>();
    const rateOf = (id: string) => {
      let entry = rates.get(id);
      if (!entry) rates.set(id, (entry = { rate: new TransferRate(), shownAt: 0 }));
      return entry;
    };

    const onAdded = (file: UppyFile<Meta, Body>) => dispatch({ type: "set", id: file.id, patch: { phase: "preparing" } });
    const onProgress = (file: UppyFile<Meta, Body> | undefined, progress: { bytesUploaded: number | false; bytesTotal: number | null }) => {
      if (!file || progress.bytesUploaded === false) return;
      const entry = rateOf(file.id);
      const now = Date.now();
      entry.rate.add(now, progress.bytesUploaded);
      if (now - entry.shownAt < RATE_UPDATE_MS) return;
      entry.shownAt = now;
      const paused = uppy.getFile(file.id)?.isPaused;
      dispatch({
        type: "set",
        id: file.id,
        patch: {
          phase: paused ? "paused" : "uploading",
          bytesPerSecond: entry.rate.bytesPerSecond(),
          secondsLeft: entry.rate.secondsLeft(progress.bytesTotal ?? file.size ?? 0),
        },
      });
    };
    const onPause = (file: UppyFile<Meta, Body> | undefined, isPaused: boolean) => {
      if (!file) return;
      rateOf(file.id).rate.restart();
      dispatch({ type: "set", id: file.id, patch: { phase: isPaused ? "paused" : "uploading", bytesPerSecond: null, secondsLeft: null } });
    };
    const onSuccess = (file: UppyFile<Meta, Body> | undefined) => {
      if (file) void complete(file.id);
    };
    const onError = (file: UppyFile<Meta, Body> | undefined, error: unknown) => {
      if (!file) return;
      rateOf(file.id).rate.restart();
      dispatch({ type: "set", id: file.id, patch: { phase: "failed", error: describeUploadError(error), bytesPerSecond: null, secondsLeft: null } });
    };
    const onRetry = (file: UppyFile<Meta, Body>) => {
      rateOf(file.id).rate.restart();
      dispatch({ type: "set", id: file.id, patch: { phase: "preparing", error: null } });
    };
    const onRemoved = (file: UppyFile<Meta, Body>) => {
      rates.delete(file.id);
      dispatch({ type: "remove", id: file.id });
      void bridge.discard(file.id, Boolean(file.progress.uploadComplete));
    };
    const onRestriction = (file: UppyFile<Meta, Body> | undefined, error: Error) =>
      setRejected((list) => [...list, { name: file?.name ?? "A file", message: error.message }]);

    const listeners = {
      "file-added": onAdded,
      "upload-progress": onProgress,
      "upload-pause": onPause,
      "upload-success": onSuccess,
      "upload-error": onError,
      "upload-retry": onRetry,
      "file-removed": onRemoved,
      "restriction-failed": onRestriction,
    } satisfies Partial<UppyEventMap<Meta, Body>>;
    const events = Object.keys(listeners) as (keyof typeof listeners)[];
    for (const event of events) uppy.on(event, listeners[event]);
    return () => {
      for (const event of events) uppy.off(event, listeners[event]);
    };
  }, [uppy, bridge, complete]);

  const rows: QueuedUpload[] = useMemo(
    () =>
      Object.values(files).map((file) => {
        const extra = state[file.id] ?? initialExtra;
        const size = file.size ?? 0;
        const bytesUploaded = file.progress.bytesUploaded || 0;
        const plan = bridge.planFor(file.id);
        const phase: QueuedUploadPhase =
          extra.phase === "uploading" && file.isPaused ? "paused" : extra.phase === "paused" && !file.isPaused ? "uploading" : extra.phase;
        return {
          id: file.id,
          name: file.name ?? "video",
          size,
          phase,
          bytesUploaded: phase === "done" ? size : bytesUploaded,
          percent: phase === "done" ? 100 : size > 0 ? Math.floor((bytesUploaded / size) * 100) : 0,
          bytesPerSecond: extra.bytesPerSecond,
          secondsLeft: extra.secondsLeft,
          resumedBytes: plan?.resumedBytes ?? 0,
          error: extra.error,
          projectId: extra.projectId ?? (phase === "done" ? (plan?.projectId ?? null) : null),
        };
      }),
    [files, state, bridge],
  );

  const actions = useMemo(
    () => ({
      addFiles(list: FileList | File[]) {
        if (!uppy) return;
        setRejected([]);
        uppy.addFiles(Array.from(list).map((data) => ({ name: data.name, type: data.type, data, source: "Local" })));
      },
      pause(id: string) {
        if (!uppy?.getFile(id)?.isPaused) uppy?.pauseResume(id);
      },
      resume(id: string) {
        if (uppy?.getFile(id)?.isPaused) uppy?.pauseResume(id);
      },
      cancel(id: string) {
        uppy?.removeFile(id);
      },
      retry(id: string) {
        if (state[id]?.completionFailed) void complete(id);
        else void uppy?.retryUpload(id);
      },
      async discardUnfinished(upload: StoredUpload) {
        store.forget(upload.uploadId);
        await uploadsApi.abort(upload.uploadId).catch(() => undefined);
      },
    }),
    [uppy, state, complete, store],
  );

  return { rows, rejected, unfinished, ...actions };
}

function createUppy(bridge: UploadBridge, maxFileBytes: number, parallelParts: number): Uppy<Meta, Body> {
  const uppy = new Uppy<Meta, Body>({
    autoProceed: true,
    restrictions: { allowedFileTypes: acceptedVideoTypes, maxFileSize: maxFileBytes },
  });
  // The plugin's multipart uploader sends up to `limit` requests at once across the queue
  // (in practice the part PUTs of one large file: signing a part is answered from the
  // batch cache at once; storage is its own origin, so API calls do not wait behind them) and
  // retries each failed one after the given delays; every other step is a call to our API.
  uppy.use(AwsS3, {
    shouldUseMultipart: (file) => bridge.planFor(file.id)?.method === "multipart",
    getChunkSize: ({ size }) => bridge.partSizeFor(size) ?? size,
    getUploadParameters: bridge.getUploadParameters,
    createMultipartUpload: bridge.createMultipartUpload,
    listParts: bridge.listParts,
    signPart: bridge.signPart,
    completeMultipartUpload: bridge.completeMultipartUpload,
    abortMultipartUpload: bridge.abortMultipartUpload,
    limit: parallelParts,
    retryDelays: PART_RETRY_DELAYS_MS,
  });
  // Runs before the plugin on every upload and retry: the server records the upload (or
  // a reload's unfinished one is found again) before a byte moves.
  uppy.addPreProcessor(async (fileIds) => {
    await Promise.all(
      fileIds.map(async (id) => {
        const file = uppy.getFile(id);
        if (!file || file.isRemote || !file.data) return;
        const plan = await bridge.prepare({ id, name: file.name ?? "video", size: file.size ?? file.data.size, type: file.type, data: file.data });
        // A multipart upload always starts the plugin's resume path: the server created it,
        // and its parts manifest says which parts remain.
        if (plan?.method === "multipart") {
          // The plugin's own per-file state (it declares no type for it).
          const restore: Partial<UppyFile<Meta, Body>> & { s3Multipart: { uploadId: string; key: string } } = {
            s3Multipart: { uploadId: plan.uploadId, key: plan.key },
          };
          uppy.setFileState(id, restore);
        }
      }),
    );
  });
  uppy.on("s3-multipart:part-uploaded", (file, part) => {
    if (file) bridge.recordPart(file.id, part);
  });
  return uppy;
}
