"use client";

import { useEffect, useEffectEvent } from "react";
import type { ProjectDetails, ProjectSummary } from "@/lib/projects/project-views";
import { projectsApi } from "@/lib/api-client/projects";

// Live updates: server-sent events first; when the stream breaks (a proxy that buffers,
// a network that drops long requests) the page polls the JSON API instead and tries the
// stream again a little later.

const POLL_MS = 3000;
const STREAM_RETRY_MS = 30_000;

type Watch = {
  url: () => string;
  onMessage: (event: string, data: unknown) => "continue" | "stop";
  poll: () => Promise<"continue" | "stop">;
};

function watch({ url, onMessage, poll }: Watch): () => void {
  let source: EventSource | null = null;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const stop = () => {
    stopped = true;
    source?.close();
    clearTimeout(pollTimer);
    clearTimeout(retryTimer);
  };

  const startPolling = () => {
    if (stopped) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, STREAM_RETRY_MS);
    if (pollTimer !== undefined) return;
    const tick = async () => {
      const outcome = await poll().catch(() => "continue" as const);
      if (outcome === "stop") return stop();
      if (!stopped && pollTimer !== undefined) pollTimer = setTimeout(tick, POLL_MS);
    };
    pollTimer = setTimeout(tick, 0);
  };

  const stopPolling = () => {
    clearTimeout(pollTimer);
    pollTimer = undefined;
  };

  function connect() {
    if (stopped) return;
    if (typeof EventSource === "undefined") return startPolling();
    const stream = new EventSource(url());
    source = stream;
    stream.onopen = stopPolling;
    const handle = (event: string) => (message: MessageEvent<string>) => {
      if (onMessage(event, JSON.parse(message.data)) === "stop") stop();
    };
    stream.addEventListener("project", handle("project"));
    stream.addEventListener("deleted", handle("deleted"));
    stream.addEventListener("end", (message) => {
      stream.close();
      const { reason } = JSON.parse((message as MessageEvent<string>).data) as { reason: string };
      if (reason === "reconnect") connect();
    });
    stream.onerror = () => {
      stream.close();
      startPolling();
    };
  }

  connect();
  return stop;
}

/** Keeps one project current while it is on its way; stops once it is ready or failed. */
export function useLiveProject(
  project: ProjectDetails | null,
  update: (next: ProjectDetails) => void,
  onDeleted: () => void,
  settled: boolean,
) {
  const apply = useEffectEvent((next: ProjectDetails) => update(next));
  const gone = useEffectEvent(() => onDeleted());
  const projectId = project?.id;
  useEffect(() => {
    if (!projectId || settled) return;
    return watch({
      url: () => projectsApi.eventsUrl(projectId),
      onMessage: (event, data) => {
        if (event === "deleted") {
          gone();
          return "stop";
        }
        apply(data as ProjectDetails);
        return "continue";
      },
      poll: async () => {
        try {
          const next = await projectsApi.get(projectId);
          apply(next);
          return ["ready", "error", "canceled", "expired"].includes(next.status) ? "stop" : "continue";
        } catch (error) {
          if ((error as { status?: number }).status === 404) {
            gone();
            return "stop";
          }
          throw error;
        }
      },
    });
  }, [projectId, settled]);
}

/** Feeds every change to the user's projects (new ones too) to `onChange`, for the list page. */
export function useProjectChanges(since: string, onChange: (project: ProjectSummary) => void) {
  const apply = useEffectEvent((project: ProjectSummary) => onChange(project));
  useEffect(() => {
    let lastSeen = since;
    const seen = (project: ProjectSummary) => {
      if (project.updatedAt > lastSeen) lastSeen = project.updatedAt;
      apply(project);
    };
    return watch({
      url: () => projectsApi.changesUrl(lastSeen),
      onMessage: (_event, data) => {
        seen(data as ProjectSummary);
        return "continue";
      },
      poll: async () => {
        const page = await projectsApi.list({ limit: 50 });
        for (const project of page.projects) seen(project);
        return "continue";
      },
    });
  }, [since]);
}
