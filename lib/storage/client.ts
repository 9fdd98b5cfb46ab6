import { S3Client } from "@aws-sdk/client-s3";
import { env } from "@/lib/env";

function makeClient(endpoint: string): S3Client {
  const e = env();
  return new S3Client({
    endpoint,
    region: e.R2_REGION,
    forcePathStyle: e.R2_FORCE_PATH_STYLE,
    credentials: { accessKeyId: e.R2_ACCESS_KEY_ID, secretAccessKey: e.R2_SECRET_ACCESS_KEY },
    // Since SDK 3.729 the default puts a CRC32 of an *empty* body into presigned PUT URLs,
    // and R2/S3 then reject every browser upload. Checksums only where an API requires them.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

const globalForStorage = globalThis as unknown as { clipcrafterS3?: S3Client; clipcrafterS3Public?: S3Client };

/** The client the server uses for its own calls. */
export function storage(): S3Client {
  globalForStorage.clipcrafterS3 ??= makeClient(env().R2_ENDPOINT);
  return globalForStorage.clipcrafterS3;
}

/** The client that signs URLs the browser will use (the public endpoint when it differs). */
export function signingStorage(): S3Client {
  const publicEndpoint = env().R2_PUBLIC_ENDPOINT;
  if (!publicEndpoint) return storage();
  globalForStorage.clipcrafterS3Public ??= makeClient(publicEndpoint);
  return globalForStorage.clipcrafterS3Public;
}

export function bucket(): string {
  return env().R2_BUCKET;
}
