// Shared by the commands run beside a deployment (doctor, reconcile); the leading "_" marks
// it as no command of its own, as in tests/bench/.
import { setEnvForProcess } from "@/lib/env";
import { localStackSettings, readSettings } from "@/lib/local-stack/settings";

/**
 * Takes this process's settings as the app would have them: .env and .env.local, the
 * process environment over those, and, for what neither sets, what `npm run dev` fills in
 * for its local stack, so that with no settings a command works against that stack.
 */
export function applyCommandSettings(): void {
  const settings = readSettings();
  setEnvForProcess({ ...localStackSettings(settings), ...settings });
}
