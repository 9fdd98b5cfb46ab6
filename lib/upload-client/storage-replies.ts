// The S3 plugin (Uppy v6, signRequest mode) sends every S3 call from the browser. Here the
// server owns the control calls — it creates the multipart upload before a byte moves,
// keeps the parts manifest (our storage has no ListParts), and completes and verifies
// the upload itself — so for those calls the signer answers with the S3 reply the plugin
// expects, built from the API's answer, as a data: URL. Only the byte transfers (the
// object PUT and each part PUT) go to storage.

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function xmlDataUrl(xml: string): string {
  return `data:application/xml;charset=utf-8,${encodeURIComponent(`<?xml version="1.0" encoding="UTF-8"?>${xml}`)}`;
}

/**
 * ListParts from the manifest. The manifest holds the real ETags; the plugin only needs
 * to know which parts exist (the server completes from its own manifest).
 */
export function listPartsReply(partNumbers: number[]): string {
  const parts = partNumbers
    .map((n) => `<Part><PartNumber>${n}</PartNumber><ETag>stored</ETag></Part>`)
    .join("");
  return xmlDataUrl(`<ListPartsResult>${parts}</ListPartsResult>`);
}

export function completeReply(params: { location: string; key: string }): string {
  return xmlDataUrl(
    `<CompleteMultipartUploadResult><Location>${escapeXml(params.location)}</Location><Key>${escapeXml(params.key)}</Key></CompleteMultipartUploadResult>`,
  );
}

export function emptyReply(): string {
  return xmlDataUrl("<Ok></Ok>");
}
