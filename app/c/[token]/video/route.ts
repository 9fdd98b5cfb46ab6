import { sharedMediaRoute } from "@/lib/clips/shared-media-route";

// GET /c/:token/video — the shared clip's MP4 (a redirect to a freshly signed URL)
export const GET = sharedMediaRoute("video");
