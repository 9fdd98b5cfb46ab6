// The local S3-protocol storage in its own process, on a data folder that outlives it, so
// the fault suite can SIGKILL it mid-request and start it again. Prints READY when it
// listens; stops when stdin closes.
import { startLocalStorage } from "@/lib/local-stack/storage-server";

const [dataDir, port, bucket] = process.argv.slice(2);
const storage = await startLocalStorage({ dataDir: dataDir!, port: Number(port), bucket: bucket!, allowedOrigins: ["http://localhost:3000"] });
console.log(`READY ${storage.endpoint}`);
process.stdin.resume();
process.stdin.on("end", () => void storage.stop().finally(() => process.exit(0)));
