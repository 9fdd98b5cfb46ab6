import Link from "next/link";

export default function ProjectNotFound() {
  return (
    <section className="panel empty-state" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Project not found</h1>
      <p className="muted">It may have been deleted, or the link belongs to another account.</p>
      <Link className="button" href="/projects">
        Back to your projects
      </Link>
    </section>
  );
}
