import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { asUser } from "@/lib/db/as-user";
import { getUserPlan } from "@/lib/billing/usage";
import { env } from "@/lib/env";
import { UsageMeter } from "../usage-meter";
import { ImportForm } from "./import-form";
import { UploadPanel } from "./upload-panel";

export const metadata: Metadata = { title: "Upload" };
export const dynamic = "force-dynamic";

export default async function UploadPage() {
  const { user, claims } = await requireUser();
  const { plan } = await asUser(claims, (tx) => getUserPlan(tx, user.id, new Date()));
  return (
    <>
      <div className="page-head">
        <h1>Upload</h1>
        <UsageMeter />
      </div>
      <section className="panel stack" aria-labelledby="upload-title">
        <h2 id="upload-title">Upload videos</h2>
        <UploadPanel userId={user.id} maxFileBytes={plan.maxUploadBytes} parallelParts={env().UPLOAD_PARALLEL_PARTS} />
      </section>
      <section className="panel stack section-gap" aria-labelledby="import-title">
        <h2 id="import-title">Or paste a link</h2>
        <ImportForm />
      </section>
    </>
  );
}
