import { mkdir } from "node:fs/promises";
import S3rver from "s3rver";

export type LocalStorage = {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop: () => Promise<void>;
};

export function corsConfigurationXml(allowedOrigins: string[]): string {
  const origins = allowedOrigins.map((o) => `<AllowedOrigin>${o}</AllowedOrigin>`).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<CORSConfiguration>
  <CORSRule>
    ${origins}
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;
}

/**
 * An S3-protocol server (s3rver) on the local filesystem, with the bucket created and a
 * CORS rule that lets the app's origin PUT and read the ETag header, as R2 must be set up.
 */
export async function startLocalStorage(options: {
  dataDir: string;
  port: number;
  bucket: string;
  allowedOrigins: string[];
  cors?: boolean;
}): Promise<LocalStorage> {
  await mkdir(options.dataDir, { recursive: true });
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port,
    directory: options.dataDir,
    silent: true,
    vhostBuckets: false,
    configureBuckets: [
      {
        name: options.bucket,
        configs: options.cors === false ? [] : [corsConfigurationXml(options.allowedOrigins)],
      },
    ],
  });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    bucket: options.bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    stop: () => server.close(),
  };
}
