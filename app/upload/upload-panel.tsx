"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";
import { formatBytes, formatDuration, formatRate } from "@/lib/format";
import { announceUsageChanged } from "../usage-meter";
import { acceptedVideoTypes, useUploadQueue, type QueuedUpload } from "./use-upload-queue";

export function UploadPanel({ userId, maxFileBytes, parallelParts }: { userId: string; maxFileBytes: number; parallelParts: number }) {
  const queue = useUploadQueue({ userId, maxFileBytes, parallelParts, onCompleted: announceUsageChanged });
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const hintId = useId();

  return (
    <div className="stack">
      <div
        className={`drop-zone${dragging ? " is-dragging" : ""}`}
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = "copy";
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          if (e.dataTransfer.files.length) queue.addFiles(e.dataTransfer.files);
        }}
      >
        <p className="drop-zone-title">Drag videos here</p>
        <p className="muted" id={hintId}>
          MP4, MOV, M4V, WebM, MKV or AVI, up to {formatBytes(maxFileBytes)} each. Several at once is fine.
        </p>
        <label className="button">
          Choose video files
          <input
            ref={inputRef}
            className="visually-hidden"
            type="file"
            multiple
            accept={acceptedVideoTypes.join(",")}
            aria-describedby={hintId}
            onChange={(e) => {
              if (e.currentTarget.files?.length) queue.addFiles(e.currentTarget.files);
              e.currentTarget.value = "";
            }}
          />
        </label>
      </div>

      {queue.rejected.length > 0 && (
        <ul className="notice notice-error" role="alert" aria-label="Files not added">
          {queue.rejected.map((r, i) => (
            <li key={`${r.name}-${i}`}>
              <strong>{r.name}</strong>: {r.message}
            </li>
          ))}
        </ul>
      )}

      {queue.unfinished.length > 0 && (
        <section className="notice" aria-labelledby="unfinished-title">
          <h3 id="unfinished-title">Unfinished uploads</h3>
          <p className="muted">
            These stopped before they finished. Choose the same file again to continue where it stopped — the
            parts already stored are not sent again.
          </p>
          <ul className="unfinished-list">
            {queue.unfinished.map((u) => (
              <li key={u.uploadId}>
                <span>
                  <span className="file-name">{u.name}</span> <span className="muted">({formatBytes(u.size)})</span>
                </span>
                <span className="row-actions">
                  <button type="button" className="secondary" onClick={() => inputRef.current?.click()}>
                    Choose file to resume
                  </button>
                  <button type="button" className="secondary" onClick={() => void queue.discardUnfinished(u)} aria-label={`Discard ${u.name}`}>
                    Discard
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {queue.rows.length > 0 && (
        <ul className="upload-list" aria-label="Uploads">
          {queue.rows.map((row) => (
            <UploadItem key={row.id} row={row} queue={queue} />
          ))}
        </ul>
      )}
    </div>
  );
}

const phaseLabel: Record<QueuedUpload["phase"], string> = {
  preparing: "Preparing…",
  uploading: "Uploading",
  paused: "Paused",
  finishing: "Checking the upload…",
  done: "Uploaded",
  failed: "Upload stopped",
};

function progressText(row: QueuedUpload): string {
  const parts = [`${row.percent}%`, `${formatBytes(row.bytesUploaded)} of ${formatBytes(row.size)}`];
  if (row.phase === "uploading") {
    parts.push(row.bytesPerSecond ? formatRate(row.bytesPerSecond) : "measuring speed…");
    if (row.secondsLeft !== null) parts.push(`${formatDuration(row.secondsLeft)} left`);
  }
  return parts.join(" · ");
}

function UploadItem({ row, queue }: { row: QueuedUpload; queue: ReturnType<typeof useUploadQueue> }) {
  const statusId = `upload-status-${row.id}`;
  const errorId = `upload-error-${row.id}`;
  const active = row.phase === "uploading" || row.phase === "preparing";
  return (
    <li className="upload-item" data-phase={row.phase}>
      <div className="upload-head">
        <span className="file-name">{row.name}</span>
        <span className={`phase phase-${row.phase}`}>{phaseLabel[row.phase]}</span>
      </div>
      <progress
        max={100}
        value={row.percent}
        aria-label={`Upload of ${row.name}`}
        aria-describedby={statusId}
        aria-valuetext={`${row.percent}%`}
      />
      <p className="upload-status muted" id={statusId} aria-live="polite">
        {progressText(row)}
        {row.resumedBytes > 0 && row.phase !== "done" && ` · resumed, ${formatBytes(row.resumedBytes)} already stored`}
      </p>
      {row.error && (
        <p className="field-error" id={errorId} role="alert">
          {row.error}
        </p>
      )}
      <div className="row-actions">
        {active && (
          <button type="button" className="secondary" onClick={() => queue.pause(row.id)} aria-label={`Pause ${row.name}`} disabled={row.phase === "preparing"}>
            Pause
          </button>
        )}
        {row.phase === "paused" && (
          <button type="button" className="secondary" onClick={() => queue.resume(row.id)} aria-label={`Resume ${row.name}`}>
            Resume
          </button>
        )}
        {row.phase === "failed" && (
          <button type="button" onClick={() => queue.retry(row.id)} aria-label={`Retry ${row.name}`} aria-describedby={errorId}>
            Retry
          </button>
        )}
        {row.phase !== "done" && row.phase !== "finishing" && (
          <button type="button" className="danger" onClick={() => queue.cancel(row.id)} aria-label={`Cancel ${row.name}`}>
            Cancel
          </button>
        )}
        {row.phase === "done" && row.projectId && (
          <Link className="button secondary" href={`/projects/${row.projectId}`}>
            View project<span className="visually-hidden"> {row.name}</span>
          </Link>
        )}
      </div>
    </li>
  );
}
