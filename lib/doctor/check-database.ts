import { createSql } from "@/lib/db/client";
import { pendingMigrations } from "@/lib/db/migrate";
import { pingDatabase } from "@/lib/db/queries/health";
import { runCheck, type CheckResult } from "./types";

export async function checkDatabase(databaseUrl: string): Promise<CheckResult> {
  return runCheck("database: reachable and migrated", async () => {
    const sql = createSql(databaseUrl, 1);
    try {
      await pingDatabase(sql);
      const pending = await pendingMigrations(sql);
      if (pending.length > 0) {
        return {
          status: "fail",
          detail: `${pending.length} migration(s) not applied: ${pending.join(", ")} — run \`supabase db push\` (or start \`npm run dev\` locally)`,
        };
      }
      return { status: "pass", detail: "all migrations in supabase/migrations are applied" };
    } catch (error) {
      return { status: "fail", detail: `cannot query the database: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      await sql.end({ timeout: 2 });
    }
  });
}
