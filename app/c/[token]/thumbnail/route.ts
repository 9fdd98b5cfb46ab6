import { sharedMediaRoute } from "@/lib/clips/shared-media-route";

// GET /c/:token/thumbnail — the shared clip's thumbnail (a redirect to a freshly signed URL)
export const GET = sharedMediaRoute("thumbnail");
