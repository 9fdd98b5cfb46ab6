// A browser's PUT to a presigned URL that sends the first `sendBytes` bytes of the body,
// slowly, and then nothing: the fault suite SIGKILLs it mid-body. Prints SENDING once the
// bytes are on the wire.
import { request } from "node:http";

const [url, headersJson, totalText, sendText] = process.argv.slice(2);
const total = Number(totalText);
const send = Number(sendText);
const req = request(url!, { method: "PUT", headers: { ...JSON.parse(headersJson!), "content-length": String(total) } });
req.on("error", () => {});
req.write(Buffer.alloc(send, 7), () => console.log("SENDING"));
setInterval(() => {}, 1000);
