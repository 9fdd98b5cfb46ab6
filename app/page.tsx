import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { SignInPanel } from "./sign-in/sign-in-panel";

export const metadata: Metadata = { title: { absolute: "ClipCrafter — web-ready video, a thumbnail and clips to share" } };
export const dynamic = "force-dynamic";

const steps = [
  { title: "Upload a video or paste a link", text: "MP4, MOV, WebM, MKV or AVI from your computer, or a link to one. Big files resume where they stopped." },
  { title: "Get a web MP4 and a thumbnail", text: "H.264/AAC that plays in every browser, starts at once, and a thumbnail picked from the video." },
  { title: "Share highlight clips", text: "A few short clips cut at natural breaks, each with its own link to send anyone." },
];

// The front door: what the app does, for a visitor who is not signed in, with sign-in
// beside it. Signed-in people go straight to their projects.
export default async function Home() {
  if (await currentUser()) redirect("/projects");
  return (
    <div className="front-door">
      <section className="front-door-intro" aria-labelledby="front-door-heading">
        <h1 id="front-door-heading">Turn any video into one that plays everywhere</h1>
        <p className="front-door-lead muted">
          ClipCrafter takes a video you upload or a link you paste and makes a web-ready MP4, a thumbnail and a few
          shareable highlight clips. You watch each step as it happens; nothing is left half-done.
        </p>
        <ol className="front-door-steps">
          {steps.map((step) => (
            <li key={step.title}>
              <strong>{step.title}</strong>
              <span className="muted">{step.text}</span>
            </li>
          ))}
        </ol>
      </section>
      <SignInPanel className="front-door-sign-in" />
    </div>
  );
}
