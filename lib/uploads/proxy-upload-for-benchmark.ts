import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { AppError } from "@/lib/api/errors";
import { putObject } from "@/lib/storage/objects";

/**
 * The design this app avoids, kept as a measuring stick for `npm run bench uploads`: the
 * bytes stream through the app process on their way to storage. Its route answers only
 * when BENCH_ROUTES is set.
 */
export async function proxyUploadForBenchmark(params: {
  userId: string;
  body: ReadableStream<Uint8Array> | null;
  contentLength: number;
}): Promise<{ key: string; size: number }> {
  if (!params.body || !Number.isSafeInteger(params.contentLength) || params.contentLength <= 0) {
    throw new AppError("bad_request", "Send the bytes with a Content-Length.");
  }
  const key = `bench/${params.userId}/${randomUUID()}`;
  await putObject(key, Readable.fromWeb(params.body as NodeReadableStream<Uint8Array>), {
    contentType: "application/octet-stream",
    contentLength: params.contentLength,
  });
  return { key, size: params.contentLength };
}
