import type { TestProject } from "vitest/node";
import { startServices } from "./local-services";
import { requireTool } from "./require-tool";
import { envSource } from "@/lib/env";
import { ffmpegPath, ffprobePath } from "@/lib/media/binaries";

declare module "vitest" {
  export interface ProvidedContext {
    serviceEnv: Record<string, string>;
  }
}

export default async function setup(project: TestProject) {
  requireTool(ffmpegPath(envSource()), "-version", "apt-get install -y ffmpeg (or set FFMPEG_PATH)");
  requireTool(ffprobePath(envSource()), "-version", "apt-get install -y ffmpeg (or set FFPROBE_PATH)");
  const services = await startServices({ appOrigin: "http://localhost:3000" });
  project.provide("serviceEnv", services.env);
  return services.stop;
}
