import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/current-user";
import { asUser } from "@/lib/db/as-user";
import { listProjects } from "@/lib/db/queries/projects";

export const metadata: Metadata = { title: "Projects" };
export const dynamic = "force-dynamic";

export default async function ProjectsPage() {
  const { user, claims } = await requireUser();
  const projects = await asUser(claims, (tx) => listProjects(tx, { userId: user.id, limit: 50 }));
  return (
    <>
      <h1>Projects</h1>
      {projects.length === 0 ? (
        <section className="panel empty-state" aria-labelledby="empty-title">
          <h2 id="empty-title">No videos yet</h2>
          <p className="muted">Upload a video or paste a link, and it will show up here as it is processed.</p>
          <Link className="button" href="/upload">
            Upload your first video
          </Link>
        </section>
      ) : (
        <ul>
          {projects.map((p) => (
            <li key={p.id}>
              <Link href={`/projects/${p.id}`}>{p.title}</Link> — {p.status}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
