/** The messages the lab shows to the user: info notices expire, warnings and errors stay until dismissed. */

/** Milliseconds an info notice stays (warnings and errors stay until dismissed). */
export const INFO_NOTICE_MS = 10_000;

/** A message shown to the user. */
export interface Notice {
  readonly id: number;
  readonly kind: 'info' | 'warning' | 'error';
  readonly text: string;
  /** Details, one per line (e.g. every bad URL parameter). */
  readonly details: readonly string[];
}

/** The notices on show, oldest first; a new notice replaces one of the same text, and `changed` runs on every change. */
export class NoticeBoard {
  /** The notices on show (a new array on every change). */
  items: Notice[] = [];
  private lastId = 0;

  constructor(private readonly changed: () => void) {}

  /** Show a message; returns its id (for dismiss). */
  notify(kind: Notice['kind'], text: string, details: readonly string[] = []): number {
    const id = ++this.lastId;
    this.items = [...this.items.filter((n) => n.text !== text), { id, kind, text, details }];
    if (kind === 'info') setTimeout(() => this.dismiss(id), INFO_NOTICE_MS);
    this.changed();
    return id;
  }

  /** Hide a message. */
  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
    this.changed();
  }
}
