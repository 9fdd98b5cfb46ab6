import { withErrors } from "@/lib/api/with-user";
import { notFound } from "@/lib/api/errors";
import { signedSharedMedia } from "./get-shared-clip";

/**
 * A public route that redirects to a freshly signed URL of a shared clip's file, so the
 * link in a share page's Open Graph tags never expires.
 */
export function sharedMediaRoute(kind: "video" | "thumbnail") {
  return withErrors<{ token: string }>(async (_request, { params }) => {
    const url = await signedSharedMedia(params.token, kind);
    if (!url) throw notFound("That clip");
    return new Response(null, { status: 302, headers: { location: url, "cache-control": "public, max-age=300" } });
  });
}
