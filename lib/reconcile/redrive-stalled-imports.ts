import { redriveUntakenJobs } from "./redrive";

export const IMPORT_STALLED_MESSAGE =
  "The download from the link stopped and did not resume after automatic restarts. Check that the link works in a browser, then retry.";

/**
 * (d″) A link import whose download lost its run. The download writes progress every
 * second, so a row that has not moved for the waiting bound has lost it: `video/import`
 * is sent again with a new event id, then the project fails visibly.
 */
export const redriveStalledImports = redriveUntakenJobs({
  waiting: "importing",
  maxRestarts: { stalled: 2, interrupted: 3 },
  redriveMessage: (_project, cause) =>
    cause === "interrupted"
      ? "The server stopped during the download; it was started again."
      : "The download made no progress for too long; it was started again.",
  failure: { code: "download_stalled", message: () => IMPORT_STALLED_MESSAGE },
});
