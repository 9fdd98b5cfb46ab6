export const errorStatus = {
  bad_request: 400,
  unauthorized: 401,
  plan_limit_reached: 402,
  quota_exceeded: 402,
  not_found: 404,
  conflict: 409,
  upload_incomplete: 409,
  file_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  invalid_filename: 422,
  not_a_video: 422,
  url_refused: 422,
  rate_limited: 429,
  internal_error: 500,
  storage_error: 502,
  billing_not_configured: 503,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;
