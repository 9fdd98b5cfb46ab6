import { env } from "@/lib/env";
import { AppError } from "@/lib/api/errors";
import { safeFilename } from "@/lib/storage/keys";
import { guardedRequest, RequestFailedError } from "@/lib/net/guarded-request";
import { checkFetchTarget } from "@/lib/net/ssrf-guard";
import { streamToStorage } from "./stream-to-storage";
import { resolveMediaUrl, ytDlpPath } from "./resolve-web-page";

export const WEB_PAGE_MESSAGE = "This link is a web page, not a video file. Paste a direct link to the video file.";

const ACCEPTED_TYPES = ["application/octet-stream"];

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

function isWebPage(type: string): boolean {
  return type === "text/html" || type === "application/xhtml+xml";
}

export function importedSourceKey(userId: string, projectId: string, url: string): string {
  const last = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  return `imports/${userId}/${projectId}/${safeFilename(last || "video")}`;
}

export function allowedImportHosts(): string[] {
  return (env().IMPORT_ALLOWED_HOSTS ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Downloads a pasted link into storage through the SSRF guard: checked and pinned
 * connections, at most 5 checked redirects, connect and total time limits, the plan's
 * size limit counted on the bytes themselves, a stall limit (IMPORT_STALL_SECONDS without a
 * byte), and a content-type check (the magic-byte check follows at verification). A web
 * page is resolved with yt-dlp when it is installed. `signal` aborts the download at once
 * (its run was cancelled); every way it ends early aborts the multipart upload.
 */
export async function downloadSource(params: {
  url: string;
  key: string;
  maxBytes: number;
  onProgress?: (bytes: number, total: number | undefined) => void;
  resolveWebPages?: boolean;
  signal?: AbortSignal;
}): Promise<{ size: number; contentType: string; finalUrl: string }> {
  const e = env();
  const controller = new AbortController();
  const abortWithCaller = () => controller.abort(params.signal?.reason);
  if (params.signal?.aborted) abortWithCaller();
  params.signal?.addEventListener("abort", abortWithCaller, { once: true });
  const totalTimer = setTimeout(
    () => controller.abort(new RequestFailedError(`The download took longer than ${e.IMPORT_TOTAL_TIMEOUT_SECONDS} s and was stopped.`)),
    e.IMPORT_TOTAL_TIMEOUT_SECONDS * 1000,
  );
  try {
    const allowedHosts = allowedImportHosts();
    const { answer: response, url } = await guardedRequest(params.url, {
      method: "GET",
      headers: {
        "user-agent": "ClipCrafter/1.0 (video import)",
        accept: "video/*, application/octet-stream;q=0.9, */*;q=0.1",
      },
      check: (url) => checkFetchTarget(url, { allowedHosts }),
      followRedirects: { max: 5, tooMany: "The link redirects more than 5 times; import the final link directly." },
      timeoutMs: e.IMPORT_CONNECT_TIMEOUT_SECONDS * 1000,
      signal: controller.signal,
      read: (response) => response,
      messages: {
        noAnswer: `The server did not answer within ${e.IMPORT_CONNECT_TIMEOUT_SECONDS} s.`,
        connectionFailed: (reason) => `Could not download the link: ${reason}`,
      },
    });
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      response.resume();
      throw new RequestFailedError(`The link answered with HTTP ${status}; it could not be downloaded.`);
    }
    const type = mediaType(response.headers["content-type"]);
    if (isWebPage(type)) {
      response.resume();
      if ((params.resolveWebPages ?? true) && ytDlpPath()) {
        const mediaUrl = await resolveMediaUrl(url.href, 60_000);
        return await downloadSource({ ...params, url: mediaUrl, resolveWebPages: false });
      }
      throw new AppError("not_a_video", WEB_PAGE_MESSAGE);
    }
    if (!type.startsWith("video/") && !ACCEPTED_TYPES.includes(type)) {
      response.resume();
      throw new AppError("unsupported_media_type", `The link serves ${type || "an unknown type"}, not a video file.`);
    }
    const lengthHeader = response.headers["content-length"];
    const declaredLength = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    if (declaredLength !== undefined && declaredLength > params.maxBytes) {
      response.resume();
      throw new AppError("file_too_large", `The file is ${declaredLength} bytes, more than your plan allows (${params.maxBytes}).`);
    }
    const { size } = await streamToStorage({
      body: response,
      key: params.key,
      contentType: type.startsWith("video/") ? type : "application/octet-stream",
      maxBytes: params.maxBytes,
      declaredLength,
      partSize: e.UPLOAD_PART_SIZE_BYTES,
      stallMs: e.IMPORT_STALL_SECONDS * 1000,
      onProgress: (bytes) => params.onProgress?.(bytes, declaredLength),
    });
    return { size, contentType: type, finalUrl: url.href };
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof Error) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(totalTimer);
    params.signal?.removeEventListener("abort", abortWithCaller);
  }
}
