import { existsSync } from "node:fs";
import path from "node:path";
import { envValue } from "@/lib/env";

/**
 * Where `command` is in the first directory of PATH that has it, as the shell would pick it;
 * undefined when none has it. PATH belongs to the operating system, not to the app's
 * settings, so it is read as the process has it (with any override a test or command set).
 */
export function findOnPath(command: string): string | undefined {
  for (const dir of (envValue("PATH") ?? "").split(path.delimiter)) {
    if (!dir) continue;
    // `${dir}/…`, not path.join: a "." entry must give "./ffmpeg", a path spawn runs as
    // given, not the bare name "ffmpeg" it would look up on PATH again.
    const candidate = `${dir}/${command}`;
    // turbopackIgnore: a path known only at run time, not a file of this project, for
    // Turbopack's output tracer to leave alone (it would trace the whole project).
    if (existsSync(/* turbopackIgnore: true */ candidate)) return candidate;
  }
  return undefined;
}
