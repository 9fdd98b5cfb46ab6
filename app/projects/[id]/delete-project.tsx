"use client";

import { useRef, useState } from "react";
import type { ProjectDetails } from "@/lib/projects/project-views";
import { projectsApi } from "@/lib/api-client/projects";
import { ApiError } from "@/lib/api-client/request";

export function DeleteProject({ project, onDeleted }: { project: ProjectDetails; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  async function remove() {
    setPending(true);
    setError(null);
    try {
      await projectsApi.remove(project.id);
      onDeleted();
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return onDeleted();
      setError(e instanceof ApiError ? e.message : "Could not delete the project. Try again.");
      setPending(false);
    }
  }

  return (
    <section className="panel danger-zone section-gap" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete project</h2>
      <p className="muted">Deletes the video, its thumbnail and clips; share links stop working. This cannot be undone.</p>
      {confirming ? (
        <div className="row-actions" role="group" aria-label="Confirm deletion">
          <button ref={confirmButton} type="button" className="danger" onClick={() => void remove()} disabled={pending}>
            {pending ? "Deleting…" : "Yes, delete it"}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)} disabled={pending}>
            Keep it
          </button>
        </div>
      ) : (
        <button
          type="button"
          className="danger"
          onClick={() => {
            setConfirming(true);
            requestAnimationFrame(() => confirmButton.current?.focus());
          }}
        >
          Delete project
        </button>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
