// Object keys are made by the server only; nothing a client sends becomes a path segment
// except through safeFilename, which keeps a readable, ASCII, traversal-free name.

const MAX_SAFE_NAME = 100;

export function safeFilename(original: string): string {
  const base = original.normalize("NFKD").split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  const ext = dot > 0 ? base.slice(dot + 1).toLowerCase().replace(/[^a-z0-9]/g, "") : "";
  const stem = (dot > 0 ? base.slice(0, dot) : base)
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, MAX_SAFE_NAME - ext.length - 1);
  const name = stem || "video";
  return ext ? `${name}.${ext}` : name;
}

export function uploadKey(userId: string, uploadId: string, filename: string): string {
  return `uploads/${userId}/${uploadId}/${safeFilename(filename)}`;
}

export function projectPrefix(userId: string, projectId: string): string {
  return `projects/${userId}/${projectId}/`;
}

export const outputKeys = {
  playback: (userId: string, projectId: string) => `${projectPrefix(userId, projectId)}web.mp4`,
  thumbnail: (userId: string, projectId: string) => `${projectPrefix(userId, projectId)}thumbnail.jpg`,
  clip: (userId: string, projectId: string, position: number) =>
    `${projectPrefix(userId, projectId)}clips/${position}.mp4`,
  clipThumbnail: (userId: string, projectId: string, position: number) =>
    `${projectPrefix(userId, projectId)}clips/${position}.jpg`,
};

/**
 * A shared output (a clip and its thumbnail) under a random id the server drew and
 * recorded (shared_outputs): the key a share link leads to names neither owner nor project.
 */
export const sharedKeys = {
  clip: (sharedId: string) => `shared/${sharedId}/clip.mp4`,
  thumbnail: (sharedId: string) => `shared/${sharedId}/thumbnail.jpg`,
};
