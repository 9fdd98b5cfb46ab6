// Which server upload belongs to which local file, kept in localStorage so that an upload
// cut off by a reload or a closed tab resumes when the same file is chosen again. Keyed
// by user, so one person's unfinished uploads are never offered to another.

export type StoredUpload = {
  uploadId: string;
  projectId: string;
  key: string;
  method: "single" | "multipart";
  name: string;
  size: number;
  savedAt: string;
};

/** The same file chosen again gives the same fingerprint; a different or edited file does not. */
export function fileFingerprint(file: { name: string; size: number; type: string; lastModified: number }): string {
  return [file.name, file.size, file.type, file.lastModified].join(":");
}

export class ResumeStore {
  private readonly key: string;

  constructor(
    userId: string,
    private readonly storage: Pick<Storage, "getItem" | "setItem"> | null = typeof localStorage === "undefined"
      ? null
      : localStorage,
  ) {
    this.key = `clipcrafter:uploads:${userId}`;
  }

  private readonly listeners = new Set<() => void>();

  /** For useSyncExternalStore: called after every change made through this store. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The stored entries as one string: a stable snapshot while nothing changes. */
  snapshot = (): string => this.storage?.getItem(this.key) ?? "{}";

  all(): Record<string, StoredUpload> {
    return parseEntries(this.snapshot());
  }

  get(fingerprint: string): StoredUpload | undefined {
    return this.all()[fingerprint];
  }

  put(fingerprint: string, upload: StoredUpload): void {
    this.write({ ...this.all(), [fingerprint]: upload });
  }

  forget(uploadId: string): void {
    const entries = Object.entries(this.all()).filter(([, upload]) => upload.uploadId !== uploadId);
    this.write(Object.fromEntries(entries));
  }

  private write(value: Record<string, StoredUpload>): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(value));
    } catch {
      // Private mode or a full quota: uploads still work, they just cannot resume after a reload.
    }
    for (const listener of this.listeners) listener();
  }
}

export function parseEntries(snapshot: string): Record<string, StoredUpload> {
  try {
    const parsed: unknown = JSON.parse(snapshot);
    return parsed && typeof parsed === "object" ? (parsed as Record<string, StoredUpload>) : {};
  } catch {
    return {};
  }
}
