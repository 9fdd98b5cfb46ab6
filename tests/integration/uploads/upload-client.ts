import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { inngestClient } from "@/lib/jobs/client";
import { envSource, setEnvForProcess } from "@/lib/env";
import { EmbeddedRunner } from "@/lib/jobs/embedded-runner";
import { db } from "@/lib/db/client";
import * as uploadsRoute from "@/app/api/uploads/route";
import * as uploadRoute from "@/app/api/uploads/[uploadId]/route";
import * as partsRoute from "@/app/api/uploads/[uploadId]/parts/route";
import * as partRoute from "@/app/api/uploads/[uploadId]/parts/[partNumber]/route";
import * as completeRoute from "@/app/api/uploads/[uploadId]/complete/route";
import { runJobsIn } from "../../support/job-runner";
import { callRoute } from "../../support/routes";
import type { TestUser } from "../../support/users";

// Drives the upload routes as a browser would: JSON calls to the app, and the bytes PUT
// with plain fetch straight to the presigned storage URLs.

export const MiB = 1024 * 1024;

/** Multipart from 1 MiB up, in 5 MiB parts (the S3 minimum), so tests stay small. Returns the undo. */
export function setSmallMultipartThresholds(): () => void {
  const { UPLOAD_SINGLE_PUT_MAX_BYTES, UPLOAD_PART_SIZE_BYTES } = envSource();
  setEnvForProcess({ UPLOAD_SINGLE_PUT_MAX_BYTES: String(MiB), UPLOAD_PART_SIZE_BYTES: String(5 * MiB) });
  return () => setEnvForProcess({ UPLOAD_SINGLE_PUT_MAX_BYTES, UPLOAD_PART_SIZE_BYTES });
}

/** The small thresholds for every test of the file or `describe` block this is called in. */
export function withSmallMultipartThresholds(): void {
  let restore: () => void;
  beforeAll(() => {
    restore = setSmallMultipartThresholds();
  });
  afterAll(() => restore());
}

/** Bytes that start like an MP4 (an `ftyp` box), then random data: what completion's sniffing sees. */
export function mp4Bytes(size: number): Buffer {
  const ftyp = Buffer.from([
    0x00, 0x00, 0x00, 0x18, ...Buffer.from("ftypisom"), 0x00, 0x00, 0x02, 0x00, ...Buffer.from("isommp42"),
  ]);
  const bytes = randomBytes(size);
  ftyp.copy(bytes, 0);
  return bytes;
}

export const routes = {
  create: (user: TestUser, body: unknown) =>
    callRoute(uploadsRoute.POST, { method: "POST", path: "/api/uploads", headers: user.auth, body }),
  status: (user: TestUser, uploadId: string) =>
    callRoute(uploadRoute.GET, { method: "GET", path: `/api/uploads/${uploadId}`, headers: user.auth, params: { uploadId } }),
  abort: (user: TestUser, uploadId: string) =>
    callRoute(uploadRoute.DELETE, { method: "DELETE", path: `/api/uploads/${uploadId}`, headers: user.auth, params: { uploadId } }),
  signParts: (user: TestUser, uploadId: string, partNumbers: number[]) =>
    callRoute(partsRoute.POST, {
      method: "POST",
      path: `/api/uploads/${uploadId}/parts`,
      headers: user.auth,
      params: { uploadId },
      body: { partNumbers },
    }),
  recordPart: (user: TestUser, uploadId: string, partNumber: number, body: unknown) =>
    callRoute(partRoute.PUT, {
      method: "PUT",
      path: `/api/uploads/${uploadId}/parts/${partNumber}`,
      headers: user.auth,
      params: { uploadId, partNumber: String(partNumber) },
      body,
    }),
  recordParts: (user: TestUser, uploadId: string, body: unknown) =>
    callRoute(partsRoute.PATCH, {
      method: "PATCH",
      path: `/api/uploads/${uploadId}/parts`,
      headers: user.auth,
      params: { uploadId },
      body,
    }),
  complete: (user: TestUser, uploadId: string, body?: unknown) =>
    callRoute(completeRoute.POST, {
      method: "POST",
      path: `/api/uploads/${uploadId}/complete`,
      headers: user.auth,
      params: { uploadId },
      body,
    }),
};

/** A browser's PUT to a presigned URL: the signed headers, the bytes, nothing else. */
export async function putToStorage(url: string, body: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "PUT", body: new Uint8Array(body), headers });
}

/** Signs, PUTs and records the given parts of a multipart upload; returns their ETags. */
export async function uploadParts(
  user: TestUser,
  uploadId: string,
  data: Buffer,
  partSize: number,
  partNumbers: number[],
): Promise<Map<number, string>> {
  const signed = await routes.signParts(user, uploadId, partNumbers);
  if (signed.status !== 200) throw new Error(`signing parts failed: ${signed.status} ${JSON.stringify(signed.body)}`);
  const etags = new Map<number, string>();
  for (const part of signed.body.parts as { partNumber: number; url: string }[]) {
    const chunk = data.subarray((part.partNumber - 1) * partSize, part.partNumber * partSize);
    const put = await putToStorage(part.url, chunk);
    if (!put.ok) throw new Error(`PUT of part ${part.partNumber} failed: ${put.status}`);
    const etag = put.headers.get("etag")!;
    const recorded = await routes.recordPart(user, uploadId, part.partNumber, { etag, size: chunk.length });
    if (recorded.status !== 200) throw new Error(`recording part failed: ${recorded.status} ${JSON.stringify(recorded.body)}`);
    etags.set(part.partNumber, etag);
  }
  return etags;
}

/**
 * An embedded runner whose only function is a probe on `video/process`, counting every
 * event handed to it (before Inngest-style id deduplication) and every run it starts.
 */
export class ProcessEventProbe extends EmbeddedRunner {
  readonly sent: { name: string; id?: string; data: Record<string, unknown> }[] = [];
  runs = 0;

  constructor(private readonly failSends = false) {
    const probe = inngestClient().createFunction(
      { id: "test-process-probe", triggers: [{ event: "video/process" }] },
      async () => {
        this.runs++;
      },
    );
    super([probe], { retryDelayMs: () => 5 });
  }

  override send(events: { name: string; data: Record<string, unknown>; id?: string }[]) {
    if (this.failSends) throw new Error("event service unavailable");
    this.sent.push(...events);
    return super.send(events);
  }

  static install(options: { failSends?: boolean } = {}): ProcessEventProbe {
    return runJobsIn(new ProcessEventProbe(options.failSends));
  }
}

export async function projectRow(projectId: string) {
  const [row] = await db()<
    { status: string; r2Key: string | null; uploadCompletedAt: Date | null; errorCode: string | null; errorMessage: string | null; title: string }[]
  >`select status, r2_key as "r2Key", upload_completed_at as "uploadCompletedAt", error_code as "errorCode",
           error_message as "errorMessage", title
    from projects where id = ${projectId}`;
  return row!;
}

export async function uploadRow(uploadId: string) {
  const [row] = await db()<{ status: string; errorCode: string | null; claimedAt: Date | null; completedAt: Date | null }[]>`
    select status, error_code as "errorCode", claimed_at as "claimedAt", completed_at as "completedAt"
    from uploads where id = ${uploadId}`;
  return row!;
}

export async function timelineKinds(projectId: string): Promise<string[]> {
  const rows = await db()<{ kind: string }[]>`select kind from project_events where project_id = ${projectId} order by id`;
  return rows.map((r) => r.kind);
}

export async function outboxRows(projectId: string) {
  return db()<{ eventId: string; eventName: string; sentAt: Date | null; attempts: number; lastError: string | null }[]>`
    select event_id as "eventId", event_name as "eventName", sent_at as "sentAt", attempts, last_error as "lastError"
    from outbox where project_id = ${projectId}`;
}
