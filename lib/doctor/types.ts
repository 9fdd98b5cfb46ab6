export type CheckStatus = "pass" | "warn" | "fail";
export type CheckResult = { name: string; status: CheckStatus; detail: string };

export async function runCheck(name: string, check: () => Promise<Omit<CheckResult, "name">>): Promise<CheckResult> {
  try {
    return { name, ...(await check()) };
  } catch (error) {
    return { name, status: "fail", detail: error instanceof Error ? error.message : String(error) };
  }
}
