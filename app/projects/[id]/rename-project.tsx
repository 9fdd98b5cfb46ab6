"use client";

import { useRef, useState } from "react";
import type { ProjectDetails } from "@/lib/projects/project-views";
import { projectsApi } from "@/lib/api-client/projects";
import { ApiError } from "@/lib/api-client/request";

export function RenameProject({ project, onRenamed }: { project: ProjectDetails; onRenamed: (title: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const renameButton = useRef<HTMLButtonElement>(null);

  function close() {
    setEditing(false);
    setError(null);
    requestAnimationFrame(() => renameButton.current?.focus());
  }

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = String(new FormData(event.currentTarget).get("title") ?? "");
    setPending(true);
    setError(null);
    try {
      const renamed = await projectsApi.rename(project.id, title);
      onRenamed(renamed.title);
      close();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not rename the project. Try again.");
    } finally {
      setPending(false);
    }
  }

  if (!editing) {
    return (
      <div className="title-row">
        <h1 className="project-heading">{project.title}</h1>
        <button ref={renameButton} type="button" className="secondary" onClick={() => setEditing(true)}>
          Rename
        </button>
      </div>
    );
  }

  return (
    <form className="rename-form" onSubmit={onSubmit} noValidate onKeyDown={(e) => e.key === "Escape" && close()}>
      <label htmlFor="project-title">Project title</label>
      <div className="inline-field">
        <input
          id="project-title"
          name="title"
          type="text"
          defaultValue={project.title}
          maxLength={300}
          autoFocus
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "rename-error" : undefined}
        />
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </button>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="field-error" id="rename-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
