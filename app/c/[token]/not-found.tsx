import Link from "next/link";

export default function SharedClipNotFound() {
  return (
    <section className="panel empty-state" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Clip not found</h1>
      <p className="muted">The link may be mistyped, or the video it came from was deleted.</p>
      <Link className="button" href="/">
        Go to ClipCrafter
      </Link>
    </section>
  );
}
