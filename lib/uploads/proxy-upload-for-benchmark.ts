import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { AppError, notFound } from "@/lib/api/errors";
import { env } from "@/lib/env";
import { putObject } from "@/lib/storage/objects";

/**
 * The design this app avoids, kept as a measuring stick for `npm run bench uploads`: the
 * bytes stream through the app process on their way to storage. Served only when
 * BENCH_ROUTES is set; a 404 everywhere else.
 */
export async function proxyUploadForBenchmark(params: {
  userId: string;
  body: ReadableStream<Uint8Array> | null;
  contentLength: number;
}): Promise<{ key: string; size: number }> {
  if (!env().BENCH_ROUTES) throw notFound("This page");
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
