"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { importsApi } from "@/lib/api-client/imports";
import { projectsApi } from "@/lib/api-client/projects";
import { announceUsageChanged } from "../usage-meter";
import { UrlField, useUrlSubmit } from "@/app/url-field";

// How long the form keeps watching a fresh import: long enough to catch what fails at
// once (a web page, a refused redirect, an unreachable server); slower downloads are
// followed on the project page.
const WATCH_MS = 30_000;
const WATCH_INTERVAL_MS = 1000;

export function ImportForm() {
  const [started, setStarted] = useState<{ projectId: string; url: string } | null>(null);
  const [downloaded, setDownloaded] = useState(false);
  const { pending, error, setError, onSubmit } = useUrlSubmit({
    emptyMessage: "Paste the link of a video first.",
    failureMessage: "Could not start the import. Try again.",
    onStart: () => {
      setStarted(null);
      setDownloaded(false);
    },
    submit: async (url) => {
      const { projectId } = await importsApi.start(url);
      setStarted({ projectId, url });
      announceUsageChanged();
    },
  });

  // The link is checked before the import starts, but some refusals can only come from
  // the download itself; those are shown here, next to the field, not only on the project.
  useEffect(() => {
    if (!started) return;
    let stopped = false;
    const deadline = Date.now() + WATCH_MS;
    const watch = async () => {
      while (!stopped && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
        const project = await projectsApi.get(started.projectId).catch(() => null);
        if (stopped || !project) continue;
        if (project.status === "error") {
          setError(project.error?.message ?? "The link could not be imported.");
          setStarted(null);
          return;
        }
        if (project.status !== "uploading") {
          setDownloaded(true);
          return;
        }
      }
    };
    void watch();
    return () => {
      stopped = true;
    };
  }, [started, setError]);

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <UrlField
        label="Video link"
        hint="A direct link to a video file (or a page with one). We download it for you."
        hintClassName="muted hint"
        placeholder="https://example.com/talk.mp4"
        error={error}
        pending={pending}
        submitLabel="Import"
        pendingLabel="Starting…"
      />
      {started && (
        <p className="notice notice-ok" role="status">
          {downloaded ? "Import started: downloaded and queued for processing." : "Import started."}{" "}
          <Link href={`/projects/${started.projectId}`}>Follow its progress on the project page</Link>.
        </p>
      )}
    </form>
  );
}
