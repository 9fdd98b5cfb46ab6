// How untrusted media is opened. Two fences, each enough on its own for the known
// attacks (an HLS or concat playlist disguised as .mp4 that makes ffmpeg read a local
// file or an internal URL into the output):
//  - a demuxer allowlist: only the containers people may upload, so playlists (hls,
//    dash), concat lists, image sequences (image2) and device/virtual inputs never open;
//  - a protocol whitelist: exactly the protocol the step's own input needs (a signed
//    http(s) URL of the stored object, or a file this process wrote), so nothing nested
//    inside the media can reach another protocol.

/** Demuxers of the accepted upload containers: MP4/M4V/MOV (mov), WebM/MKV (matroska), AVI. */
export const UPLOADED_VIDEO_DEMUXERS = ["mov", "matroska", "avi"] as const;
/** Outputs this app wrote itself (web MP4, clips): MP4 only. */
export const WEB_MP4_DEMUXERS = ["mov"] as const;

/** A URL may come with request headers ffmpeg sends on every request to it (e.g. `If-Match`). */
export type MediaInput = { url: string; headers?: Record<string, string> } | { file: string };

export function protocolsFor(input: MediaInput): string {
  if ("file" in input) return "file";
  const scheme = new URL(input.url).protocol;
  if (scheme === "https:") return "https,tls,tcp";
  if (scheme === "http:") return "http,tcp";
  throw new Error(`media inputs must be http(s) URLs or local files, not ${scheme}`);
}

export function inputLocation(input: MediaInput): string {
  // An explicit file: prefix so a path containing ":" is never taken for a protocol.
  return "file" in input ? `file:${input.file}` : input.url;
}

function requestHeaders(input: MediaInput): string[] {
  if (!("url" in input) || !input.headers) return [];
  const lines = Object.entries(input.headers).map(([name, value]) => {
    if (/[\r\n]/.test(name + value)) throw new Error(`a request header for media input must be one line: ${name}`);
    return `${name}: ${value}\r\n`;
  });
  return lines.length ? ["-headers", lines.join("")] : [];
}

/** The arguments that open one input: whitelists first, they are options of that input. */
export function inputArgs(input: MediaInput, demuxers: readonly string[], extra: string[] = []): string[] {
  return [
    "-protocol_whitelist",
    protocolsFor(input),
    "-format_whitelist",
    demuxers.join(","),
    ...requestHeaders(input),
    ...extra,
    "-i",
    inputLocation(input),
  ];
}

/** Strings that must not appear in messages (a signed URL carries a signature). */
export function secretsOf(input: MediaInput): string[] {
  return "url" in input ? [input.url] : [];
}

/** Global options of every ffmpeg run: no terminal interaction, errors only. */
export const FFMPEG_BASE_ARGS = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"];

/** Where ffmpeg writes: always a local path this process chose, file protocol only. */
export function outputLocation(path: string): string {
  return `file:${path}`;
}
