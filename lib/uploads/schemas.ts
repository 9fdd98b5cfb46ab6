import { z } from "zod";

// One schema per request body of the upload routes; the routes, tests and the browser
// client build from these.

export const createUploadBody = z.object({
  filename: z.string({ error: "filename is required: the file's name, e.g. talk.mp4" }),
  size: z
    .number({ error: "size is required: the file's size in bytes" })
    .int({ error: "size must be a whole number of bytes" })
    .positive({ error: "The file is empty (its size is not above 0 bytes). Choose a video file that has content." })
    .max(Number.MAX_SAFE_INTEGER, { error: "size is not a plausible number of bytes" }),
  contentType: z.string({ error: "contentType is required: the file's MIME type, e.g. video/mp4" }).max(255),
});
export type CreateUploadBody = z.infer<typeof createUploadBody>;

const partNumber = z
  .number({ error: "part numbers are whole numbers from 1 to 10000" })
  .int({ error: "part numbers are whole numbers from 1 to 10000" })
  .min(1, { error: "part numbers start at 1" })
  .max(10_000, { error: "part numbers go up to 10000" });

export const MAX_PARTS_PER_SIGNING_REQUEST = 1000;

export const signPartsBody = z.object({
  partNumbers: z
    .array(partNumber)
    .min(1, { error: "partNumbers must list at least one part" })
    .max(MAX_PARTS_PER_SIGNING_REQUEST, { error: `sign at most ${MAX_PARTS_PER_SIGNING_REQUEST} parts per request` })
    .refine((list) => new Set(list).size === list.length, { error: "partNumbers must not repeat a part" }),
});
export type SignPartsBody = z.infer<typeof signPartsBody>;

const etag = z
  .string({ error: "etag is required: the ETag header storage returned for the part" })
  .min(1, { error: "etag must not be empty" })
  .max(200, { error: "etag is too long" })
  .regex(/^[\x21-\x7e]+$/, { error: "etag must be the ETag header value as storage returned it" });

const partSize = z.number({ error: "size is required: the part's size in bytes" }).int().positive();

export const recordPartBody = z.object({ etag, size: partSize });

export const MAX_PARTS_PER_RECORDING_REQUEST = 1000;

export const recordPartsBody = z.object({
  parts: z
    .array(z.object({ partNumber, etag, size: partSize }))
    .min(1, { error: "parts must list at least one part" })
    .max(MAX_PARTS_PER_RECORDING_REQUEST, { error: `record at most ${MAX_PARTS_PER_RECORDING_REQUEST} parts per request` })
    .refine((list) => new Set(list.map((p) => p.partNumber)).size === list.length, {
      error: "parts must not repeat a part number",
    }),
});
export type RecordPartsBody = z.infer<typeof recordPartsBody>;

export const partNumberParam = z.coerce
  .number({ error: "the part number in the path must be a whole number from 1 to 10000" })
  .pipe(partNumber);

export const completeUploadBody = z
  .object({
    parts: z
      .array(z.object({ partNumber, etag }))
      .max(10_000)
      .refine((list) => new Set(list.map((p) => p.partNumber)).size === list.length, {
        error: "parts must not repeat a part number",
      })
      .optional(),
  })
  .default({});
export type CompleteUploadBody = z.infer<typeof completeUploadBody>;
