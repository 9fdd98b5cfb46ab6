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

// One client per configuration, cached on globalThis so `next dev` reloads reuse it; a
// changed configuration (a command pointed at another bucket) gets a new one.
const globalForStorage = globalThis as unknown as { clipcrafterS3?: Map<string, S3Client> };

function clientFor(endpoint: string): S3Client {
  const e = env();
  const config = JSON.stringify([endpoint, e.R2_REGION, e.R2_FORCE_PATH_STYLE, e.R2_ACCESS_KEY_ID, e.R2_SECRET_ACCESS_KEY]);
  const clients = (globalForStorage.clipcrafterS3 ??= new Map());
  let client = clients.get(config);
  if (!client) {
    client = makeClient(endpoint);
    clients.set(config, client);
  }
  return client;
}

/** The client the server uses for its own calls. */
export function storage(): S3Client {
  return clientFor(env().R2_ENDPOINT);
}

/** The client that signs URLs the browser will use (the public endpoint when it differs). */
export function signingStorage(): S3Client {
  return clientFor(env().R2_PUBLIC_ENDPOINT ?? env().R2_ENDPOINT);
}

export function bucket(): string {
  return env().R2_BUCKET;
}
