import { toErrorResponse, notFound } from "@/lib/api/errors";
import { signedSharedMedia } from "@/lib/clips/get-shared-clip";

// GET /c/:token/thumbnail — the shared clip's thumbnail: a redirect to a freshly signed URL, so the link in Open Graph tags never expires
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const url = await signedSharedMedia((await params).token, "thumbnail");
    if (!url) throw notFound("That clip");
    return new Response(null, { status: 302, headers: { location: url, "cache-control": "public, max-age=300" } });
  } catch (error) {
    return toErrorResponse(error);
  }
}
