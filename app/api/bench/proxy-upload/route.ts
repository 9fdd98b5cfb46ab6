import { notFound } from "@/lib/api/errors";
import { authenticate, withErrors } from "@/lib/api/with-user";
import { env } from "@/lib/env";
import { proxyUploadForBenchmark } from "@/lib/uploads/proxy-upload-for-benchmark";

// PUT /api/bench/proxy-upload — benchmark baseline only (BENCH_ROUTES=true): bytes through the app to storage
export const PUT = withErrors(async (request) => {
  if (!env().BENCH_ROUTES) throw notFound("This page");
  const user = await authenticate(request);
  const stored = await proxyUploadForBenchmark({
    userId: user.id,
    body: request.body,
    contentLength: Number(request.headers.get("content-length")),
  });
  return Response.json(stored, { status: 201 });
}, { body: "raw" });
