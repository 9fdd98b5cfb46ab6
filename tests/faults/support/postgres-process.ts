// A durable local Postgres in its own process group, as `npm run dev` starts it, so the
// fault suite can SIGKILL the whole server (postmaster and backends) and start it again on
// the same data folder. Prints READY when it accepts connections; stops when stdin closes.
import { startLocalPostgres } from "@/lib/local-stack/postgres";

const [dataDir, port] = process.argv.slice(2);
const pg = await startLocalPostgres({ dataDir: dataDir!, port: Number(port) });
console.log(`READY ${pg.url}`);
process.stdin.resume();
process.stdin.on("end", () => void pg.stop().finally(() => process.exit(0)));
