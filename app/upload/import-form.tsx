"use client";

import Link from "next/link";
import { useId, useState } from "react";
import { importsApi } from "@/lib/api-client/imports";
import { ApiError } from "@/lib/api-client/request";
import { announceUsageChanged } from "../usage-meter";

export function ImportForm() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<{ projectId: string; url: string } | null>(null);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const url = String(new FormData(form).get("url") ?? "").trim();
    setError(null);
    setStarted(null);
    if (!url) {
      setError("Paste the link of a video first.");
      return;
    }
    setPending(true);
    try {
      const { projectId } = await importsApi.start(url);
      setStarted({ projectId, url });
      announceUsageChanged();
      form.reset();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not start the import. Try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <label htmlFor={inputId}>Video link</label>
      <p className="muted hint" id={hintId}>
        A direct link to a video file (or a page with one). We download it for you.
      </p>
      <div className="inline-field">
        <input
          id={inputId}
          name="url"
          type="url"
          inputMode="url"
          autoComplete="off"
          placeholder="https://example.com/talk.mp4"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        />
        <button type="submit" disabled={pending}>
          {pending ? "Starting…" : "Import"}
        </button>
      </div>
      <p className="field-error" id={errorId} role="alert">
        {error}
      </p>
      {started && (
        <p className="notice notice-ok" role="status">
          Import started.{" "}
          <Link href={`/projects/${started.projectId}`}>Follow its progress on the project page</Link>.
        </p>
      )}
    </form>
  );
}
