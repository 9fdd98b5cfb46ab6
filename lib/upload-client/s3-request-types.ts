// The request and reply types of the S3 plugin's `signRequest` option, as the plugin
// declares them (its package exports the option, not these names).
import type { AwsS3Options } from "@uppy/aws-s3";
import type { Body, Meta } from "@uppy/core";

type SignRequestFn = Extract<AwsS3Options<Meta, Body>, { signRequest: unknown }>["signRequest"];
export type PresignableRequest = Parameters<SignRequestFn>[0];
export type PresignedResponse = Awaited<ReturnType<SignRequestFn>>;
