import { randomUUID } from "node:crypto";
import { GetBucketLifecycleConfigurationCommand, HeadBucketCommand } from "@aws-sdk/client-s3";
import { bucket, storage } from "@/lib/storage/client";
import { presignPut } from "@/lib/storage/presign";
import { deleteObject, headObject } from "@/lib/storage/objects";
import { runCheck, type CheckResult } from "./types";

export const LIFECYCLE_RULE_HINT = `Add a lifecycle rule that aborts incomplete multipart uploads, e.g. (S3 API):
  <LifecycleConfiguration><Rule><ID>abort-incomplete-multipart</ID><Status>Enabled</Status>
    <Filter><Prefix></Prefix></Filter>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>
  </Rule></LifecycleConfiguration>
  (R2 dashboard: Bucket → Settings → Object lifecycle rules → "Abort incomplete multipart uploads after 7 days")`;

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return `${e.name ?? "Error"}${e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : ""}: ${e.message ?? String(error)}`;
}

/**
 * Checks the configured bucket the way the app uses it: credentials, presigned PUT from
 * the app's origin (CORS preflight, ETag exposed), HEAD, delete, and the lifecycle rule.
 */
export async function checkStorage(appOrigin: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  results.push(
    await runCheck("storage: credentials and bucket", async () => {
      try {
        await storage().send(new HeadBucketCommand({ Bucket: bucket() }));
      } catch (error) {
        return { status: "fail", detail: `cannot reach bucket "${bucket()}": ${describe(error)}` };
      }
      return { status: "pass", detail: `bucket "${bucket()}" reachable` };
    }),
  );
  if (results[0]!.status === "fail") return results;

  const key = `doctor/${randomUUID()}.txt`;
  const body = "clipcrafter doctor probe";
  results.push(
    await runCheck("storage: presigned PUT, HEAD, delete", async () => {
      const url = await presignPut({ key, contentType: "text/plain", contentLength: body.length, expiresInSeconds: 60 });
      const put = await fetch(url, { method: "PUT", body, headers: { "content-type": "text/plain", origin: appOrigin } });
      if (!put.ok) return { status: "fail", detail: `presigned PUT answered HTTP ${put.status}: ${(await put.text()).slice(0, 200)}` };
      const head = await headObject(key);
      if (!head || head.size !== body.length) return { status: "fail", detail: "the probe object is missing or has the wrong size after PUT" };
      await deleteObject(key);
      if (await headObject(key)) return { status: "fail", detail: "the probe object is still there after delete" };
      const exposed = (put.headers.get("access-control-expose-headers") ?? "").toLowerCase();
      const etagReadable = exposed.split(",").map((h) => h.trim()).includes("etag") || exposed.trim() === "*";
      if (!etagReadable) {
        return {
          status: "fail",
          detail: `a browser PUT from ${appOrigin} cannot read the ETag header (Access-Control-Expose-Headers: "${exposed}"); add ETag to the bucket CORS rule's ExposeHeaders`,
        };
      }
      return { status: "pass", detail: "presign + PUT + HEAD + delete work; ETag is exposed to the browser" };
    }),
  );

  results.push(
    await runCheck("storage: CORS preflight for PUT", async () => {
      const url = await presignPut({ key, contentType: "video/mp4", contentLength: 1, expiresInSeconds: 60 });
      const preflight = await fetch(url, {
        method: "OPTIONS",
        headers: { origin: appOrigin, "access-control-request-method": "PUT", "access-control-request-headers": "content-type" },
      });
      const allowOrigin = preflight.headers.get("access-control-allow-origin");
      const allowMethods = (preflight.headers.get("access-control-allow-methods") ?? "").toUpperCase();
      if (!preflight.ok || (allowOrigin !== "*" && allowOrigin !== appOrigin) || !allowMethods.includes("PUT")) {
        return {
          status: "fail",
          detail: `the bucket does not allow PUT from ${appOrigin} (preflight HTTP ${preflight.status}, allow-origin "${allowOrigin ?? ""}", allow-methods "${allowMethods}"); add a CORS rule with AllowedOrigin ${appOrigin}, AllowedMethods PUT and GET, AllowedHeaders *, ExposeHeaders ETag`,
        };
      }
      return { status: "pass", detail: `PUT allowed from ${appOrigin}` };
    }),
  );

  results.push(
    await runCheck("storage: lifecycle rule for incomplete multipart uploads", async () => {
      try {
        const config = await storage().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket() }));
        const rule = (config.Rules ?? []).find((r) => r.Status === "Enabled" && r.AbortIncompleteMultipartUpload?.DaysAfterInitiation);
        if (rule) {
          return { status: "pass", detail: `aborts incomplete uploads after ${rule.AbortIncompleteMultipartUpload!.DaysAfterInitiation} days` };
        }
        return { status: "warn", detail: `no rule aborts incomplete multipart uploads. ${LIFECYCLE_RULE_HINT}` };
      } catch (error) {
        return { status: "warn", detail: `could not read lifecycle rules (${describe(error)}). ${LIFECYCLE_RULE_HINT}` };
      }
    }),
  );
  return results;
}
