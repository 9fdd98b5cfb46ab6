// A problem with the video or the account that no retry can fix. The step that finds it
// records it on the project (code + a message a person can act on) and stops the run.

export type ProcessingErrorCode =
  | "source_missing"
  | "source_changed"
  | "empty_file"
  | "not_a_video"
  | "unsupported_format"
  | "damaged_file"
  | "no_video_stream"
  | "too_long"
  | "dimensions_too_large"
  | "too_many_streams"
  | "plan_limit_reached"
  | "output_too_large"
  | "memory_limit"
  | "processing_timeout"
  | "media_tools_unavailable";

export class ProcessingError extends Error {
  constructor(
    readonly code: ProcessingErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ProcessingError";
  }
}

/** A run that no longer holds its project (deleted, failed elsewhere, or taken over) stops quietly. */
export class RunNoLongerHoldsProject extends Error {
  constructor(projectId: string) {
    super(`project ${projectId} is no longer being processed by this run`);
    this.name = "RunNoLongerHoldsProject";
  }
}
