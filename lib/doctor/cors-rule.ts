// The one CORS rule the bucket needs, in the two forms people paste it in: R2's dashboard
// (Bucket → Settings → CORS policy) and `aws s3api put-bucket-cors`. The doctor checks
// the same list, and a unit test keeps the README's copies equal to these.

/** PUT for uploads (single and parts), GET/HEAD for playback and downloads. */
export const CORS_METHODS = ["PUT", "GET", "HEAD"] as const;
/** The signed single PUT sends Content-Type, so the preflight must allow it (R2 takes no "*" here). */
export const CORS_ALLOWED_HEADERS = ["content-type"] as const;
/** The browser records each part's ETag to complete a multipart upload. */
export const CORS_EXPOSE_HEADERS = ["ETag"] as const;
export const CORS_MAX_AGE_SECONDS = 3600;

function rule(origins: string[]) {
  return {
    AllowedOrigins: origins,
    AllowedMethods: [...CORS_METHODS],
    AllowedHeaders: [...CORS_ALLOWED_HEADERS],
    ExposeHeaders: [...CORS_EXPOSE_HEADERS],
    MaxAgeSeconds: CORS_MAX_AGE_SECONDS,
  };
}

/** R2 dashboard: Bucket → Settings → CORS policy → Add CORS policy (a JSON array of rules). */
export function r2CorsPolicy(origins: string[]) {
  return [rule(origins)];
}

/** `aws s3api put-bucket-cors --bucket <bucket> --cors-configuration file://cors.json`. */
export function s3CorsConfiguration(origins: string[]) {
  return { CORSRules: [rule(origins)] };
}

/** Indented JSON with each list of strings on one line, as people read and paste it. */
function readableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_, items: string) => `[${items.split(/,\s+/).join(", ")}]`);
}

export const r2CorsPolicyJson = (origins: string[]) => readableJson(r2CorsPolicy(origins));
export const s3CorsConfigurationJson = (origins: string[]) => readableJson(s3CorsConfiguration(origins));
