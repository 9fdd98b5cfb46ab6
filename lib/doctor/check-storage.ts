import { randomUUID } from "node:crypto";
import { GetBucketLifecycleConfigurationCommand, HeadBucketCommand, type LifecycleRule } from "@aws-sdk/client-s3";
import { bucket, storage } from "@/lib/storage/client";
import { presignPut } from "@/lib/storage/presign";
import { deleteObject, headObject } from "@/lib/storage/objects";
import { runCheck, type CheckResult } from "./types";
import { CORS_ALLOWED_HEADERS, CORS_METHODS, r2CorsPolicyJson, s3CorsConfigurationJson } from "./cors-rule";

export const LIFECYCLE_RULE_HINT = `Add a lifecycle rule that aborts incomplete multipart uploads, e.g. (S3 API):
  <LifecycleConfiguration><Rule><ID>abort-incomplete-multipart</ID><Status>Enabled</Status>
    <Filter><Prefix></Prefix></Filter>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>
  </Rule></LifecycleConfiguration>
  (R2 dashboard: Bucket → Settings → Object lifecycle rules → "Abort incomplete multipart uploads after 7 days")`;

/** The rule every new R2 bucket starts with; GetBucketLifecycleConfiguration reports it like any other. */
export const R2_DEFAULT_RULE_ID = "Default Multipart Abort Rule";

function corsRuleHint(appOrigin: string): string {
  return `Set this CORS rule on the bucket.
  R2 dashboard (Bucket → Settings → CORS policy):
${r2CorsPolicyJson([appOrigin]).replace(/^/gm, "    ")}
  S3 (aws s3api put-bucket-cors --bucket <bucket> --cors-configuration file://cors.json):
${s3CorsConfigurationJson([appOrigin]).replace(/^/gm, "    ")}`;
}

const listed = (header: string | null) => (header ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);

/** Applies to the whole bucket (no filter, or an empty prefix), where uploads/ and imports/ live. */
function coversWholeBucket(rule: LifecycleRule): boolean {
  const prefix = rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix ?? "";
  return prefix === "" && !rule.Filter?.Tag && !rule.Filter?.And?.Tags?.length;
}

/** The lifecycle rule in force for incomplete multipart uploads, as the bucket reports it. */
export function describeMultipartAbortRule(rules: LifecycleRule[]): Omit<CheckResult, "name"> {
  const aborting = rules.filter((r) => r.Status === "Enabled" && r.AbortIncompleteMultipartUpload?.DaysAfterInitiation);
  const rule = aborting.find(coversWholeBucket);
  if (rule) {
    const days = rule.AbortIncompleteMultipartUpload!.DaysAfterInitiation;
    const which = rule.ID === R2_DEFAULT_RULE_ID ? `R2's default rule "${rule.ID}"` : `rule "${rule.ID ?? "(no id)"}"`;
    return { status: "pass", detail: `${which} aborts incomplete multipart uploads after ${days} days` };
  }
  if (aborting.length) {
    const scopes = aborting.map((r) => `"${r.ID ?? "(no id)"}" (prefix "${r.Filter?.Prefix ?? r.Filter?.And?.Prefix ?? r.Prefix ?? ""}")`);
    return { status: "warn", detail: `only part of the bucket has a rule that aborts incomplete multipart uploads: ${scopes.join(", ")}. ${LIFECYCLE_RULE_HINT}` };
  }
  return { status: "warn", detail: `no rule aborts incomplete multipart uploads. ${LIFECYCLE_RULE_HINT}` };
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return `${e.name ?? "Error"}${e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : ""}: ${e.message ?? String(error)}`;
}

/**
 * Checks the configured bucket the way the app uses it: credentials, presigned PUT from
 * the app's origin (CORS preflight with Content-Type, ETag exposed), HEAD, delete, and
 * the lifecycle rule in force for incomplete multipart uploads.
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
      const exposed = listed(put.headers.get("access-control-expose-headers"));
      if (!exposed.includes("etag") && !exposed.includes("*")) {
        return {
          status: "fail",
          detail: `a browser PUT from ${appOrigin} cannot read the ETag header (Access-Control-Expose-Headers: "${exposed.join(", ")}"), which multipart uploads need. ${corsRuleHint(appOrigin)}`,
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
      const allowMethods = listed(preflight.headers.get("access-control-allow-methods"));
      const allowHeaders = listed(preflight.headers.get("access-control-allow-headers"));
      const headersAllowed = CORS_ALLOWED_HEADERS.every((h) => allowHeaders.includes(h) || allowHeaders.includes("*"));
      if (!preflight.ok || (allowOrigin !== "*" && allowOrigin !== appOrigin) || !allowMethods.includes("put") || !headersAllowed) {
        return {
          status: "fail",
          detail: `the bucket does not allow a PUT with ${CORS_ALLOWED_HEADERS.join(", ")} from ${appOrigin} (preflight HTTP ${preflight.status}, allow-origin "${allowOrigin ?? ""}", allow-methods "${allowMethods.join(", ")}", allow-headers "${allowHeaders.join(", ")}"). ${corsRuleHint(appOrigin)}`,
        };
      }
      return { status: "pass", detail: `PUT with ${CORS_ALLOWED_HEADERS.join(", ")} allowed from ${appOrigin} (the rule needs ${CORS_METHODS.join(", ")})` };
    }),
  );

  results.push(await checkMultipartAbortRule());
  return results;
}

/** Reads the bucket's lifecycle rules and reports the one that aborts incomplete multipart uploads. */
export function checkMultipartAbortRule(): Promise<CheckResult> {
  return runCheck("storage: lifecycle rule for incomplete multipart uploads", async () => {
    let rules: LifecycleRule[];
    try {
      rules = (await storage().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket() }))).Rules ?? [];
    } catch (error) {
      // S3 answers a bucket without rules this way; R2 always has at least its default.
      if ((error as { name?: string }).name === "NoSuchLifecycleConfiguration") rules = [];
      else {
        return {
          status: "warn",
          detail: `cannot read the bucket's lifecycle rules (${describe(error)}), so cannot tell which rule aborts incomplete multipart uploads (the local storage server has none; R2 buckets abort them after 7 days by default). ${LIFECYCLE_RULE_HINT}`,
        };
      }
    }
    return describeMultipartAbortRule(rules);
  });
}
