/** Type declarations for scripts/serve.mjs (the zero-dependency static server of dist/). */

/** Content-Security-Policy of the app: no inline or eval'd script (WebAssembly may compile), no foreign origins. */
export declare const CONTENT_SECURITY_POLICY: string;

/** Response headers every page and asset gets: cross-origin isolation (SharedArrayBuffer), CSP, nosniff. */
export declare function securityHeaders(): Record<string, string>;

/** MIME type by lower-case file extension. */
export declare const MIME_TYPES: Readonly<Record<string, string>>;

/** MIME type for a file path (application/octet-stream when unknown). */
export declare function mimeType(path: string): string;

/** Maps a request URL path to a file under root, or null when the path is malformed or escapes root. */
export declare function resolveRequestPath(root: string, urlPath: string): string | null;

/** A running static server: its base URL (with trailing slash), bound port, and a close function. */
export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `root` (default dist/) on 127.0.0.1:`port` (0 = any free port; a taken port falls back to a free one). */
export declare function startServer(options?: { root?: string; port?: number }): Promise<RunningServer>;

/** Reads --port N / --port=N / PORT from argv and env; undefined when neither is given. */
export declare function parsePort(argv: readonly string[], env: Record<string, string | undefined>): number | undefined;
