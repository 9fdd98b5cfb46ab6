import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { currentUser } from "@/lib/auth/current-user";
import { NavLink } from "./nav-link";
import { SignOutButton } from "./sign-out-button";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "ClipCrafter", template: "%s · ClipCrafter" },
  description: "Upload a video or paste a link: get a web-ready video, a thumbnail and shareable clips.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <Link href="/" className="brand">
            ClipCrafter
          </Link>
          {user ? (
            <nav className="nav" aria-label="Main">
              <NavLink href="/projects">Projects</NavLink>
              <NavLink href="/upload">Upload</NavLink>
              <NavLink href="/billing">Billing</NavLink>
              <NavLink href="/settings/webhooks">Webhooks</NavLink>
              <span className="muted nav-email">{user.email}</span>
              <SignOutButton />
            </nav>
          ) : (
            <nav className="nav" aria-label="Main">
              <Link href="/sign-in">Sign in</Link>
            </nav>
          )}
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
