"use client";

import { useEffect, useId, useRef, useState } from "react";
import styles from "./webhooks.module.css";

/** The signing secret of a new endpoint, shown this once, with a copy button. */
export function NewSecret({ url, secret, onDone }: { url: string; secret: string; onDone: () => void }) {
  const [copyStatus, setCopyStatus] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const inputId = useId();
  const noteId = useId();

  useEffect(() => heading.current?.focus(), [secret]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopyStatus("Copied.");
    } catch {
      setCopyStatus("Could not copy: select the secret and copy it yourself.");
    }
  }

  return (
    <section className={`panel section-gap ${styles.secret}`} aria-labelledby="new-secret-title">
      <h2 id="new-secret-title" ref={heading} tabIndex={-1}>
        Signing secret for your new endpoint
      </h2>
      <p className="break">{url}</p>
      <p id={noteId}>
        <strong>This is the only time it is shown.</strong> Store it where your receiver can read it; if you lose it,
        delete the endpoint and add it again for a new one.
      </p>
      <label htmlFor={inputId}>Secret</label>
      <div className="inline-field">
        <input
          id={inputId}
          type="text"
          readOnly
          value={secret}
          aria-describedby={noteId}
          className={styles.secretValue}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="copy-status small" role="status">
        {copyStatus}
      </p>
      <button type="button" className="secondary" onClick={onDone}>
        I have stored it
      </button>
    </section>
  );
}
