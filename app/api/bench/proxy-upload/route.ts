import { withUser } from "@/lib/api/with-user";
import { proxyUploadForBenchmark } from "@/lib/uploads/proxy-upload-for-benchmark";

// PUT /api/bench/proxy-upload — benchmark baseline only (BENCH_ROUTES=true): bytes through the app to storage
export const PUT = withUser(async (request, { user }) => {
  const stored = await proxyUploadForBenchmark({
    userId: user.id,
    body: request.body,
    contentLength: Number(request.headers.get("content-length")),
  });
  return Response.json(stored, { status: 201 });
});
