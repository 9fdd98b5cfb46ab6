import { locateMediaTool } from "@/lib/media/binaries";
import { mediaToolsInstallHint } from "@/lib/media/install-hint";
import { MediaToolError } from "@/lib/media/run-media-tool";
import { log } from "@/lib/log";
import { ProcessingError } from "./processing-error";

export const MEDIA_TOOLS_UNAVAILABLE_MESSAGE =
  "The server cannot process videos right now: a tool it needs is missing. Your video is kept; press Retry once the site's operator has fixed it.";

// A spawn refused for want of resources is worth a retry; a binary that is missing or not
// executable is not (/bin/sh's 127/126, or ENOENT/EACCES when spawned directly).
const TRANSIENT_SPAWN_FAILURE = /\b(EAGAIN|ENOMEM|EMFILE|ENFILE)\b/;

/**
 * A media tool that could not be started at all: no retry can fix that, so the run ends at
 * once with a message for the person, and the operator's log names the binary and what
 * to install. Retry works again once it is installed. Any other error is returned as is.
 */
export function explainUnavailableTool(error: unknown, context: { projectId: string; stage: string }): unknown {
  if (!(error instanceof MediaToolError) || error.failure !== "not_started") return error;
  if (TRANSIENT_SPAWN_FAILURE.test(error.stderrTail)) return error;
  const location = locateMediaTool(error.tool);
  log.error("media_tool_unavailable", {
    ...context,
    tool: error.tool,
    binary: location.path ?? `${error.tool} (not found)`,
    from: location.from,
    reason: error.stderrTail.trim().slice(0, 300),
    install: mediaToolsInstallHint(),
  });
  return new ProcessingError("media_tools_unavailable", MEDIA_TOOLS_UNAVAILABLE_MESSAGE, { tool: error.tool });
}
