"use client";

import { useState } from "react";
import type { ClipView } from "@/lib/projects/project-views";
import type { ProjectStatus } from "@/lib/db/queries/projects";
import { formatVideoTime } from "@/lib/format";

async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Without clipboard permission (or over plain http), select the link so Ctrl/Cmd+C works.
    input?.select();
    return false;
  }
}

function Clip({ clip, index }: { clip: ClipView; index: number }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "selected">("idle");
  const inputId = `share-${clip.id}`;
  const label = `Clip ${index + 1}, ${formatVideoTime(clip.startSeconds)} to ${formatVideoTime(clip.endSeconds)}`;
  return (
    <li className="clip">
      <a href={clip.url} className="clip-thumb" target="_blank" rel="noreferrer">
        {/* Presigned storage URL: next/image's optimizer would only fetch it through the app. */}
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={clip.thumbnailUrl} alt={label} loading="lazy" width={320} height={180} />
      </a>
      <p className="clip-title">{label}</p>
      <label htmlFor={inputId} className="small">
        Share link
      </label>
      <div className="inline-field">
        <input id={inputId} type="text" readOnly value={clip.shareUrl} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          className="secondary"
          aria-label={`Copy share link of clip ${index + 1}`}
          onClick={async (e) => {
            const input = e.currentTarget.parentElement?.querySelector("input") ?? null;
            setCopied((await copyText(clip.shareUrl, input)) ? "copied" : "selected");
          }}
        >
          Copy
        </button>
      </div>
      <p className="small muted copy-status" aria-live="polite">
        {copied === "copied" ? "Copied to the clipboard." : copied === "selected" ? "Selected — press Ctrl+C (⌘C) to copy." : ""}
      </p>
    </li>
  );
}

export function ClipList({ clips, status }: { clips: ClipView[]; status: ProjectStatus }) {
  if (clips.length === 0) {
    return <p className="muted">{status === "ready" ? "This video is too short for clips." : "Clips appear here when the video is ready."}</p>;
  }
  return (
    <ul className="clip-grid">
      {clips.map((clip, i) => (
        <Clip key={clip.id} clip={clip} index={i} />
      ))}
    </ul>
  );
}
