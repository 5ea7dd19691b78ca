/** Type declarations for scripts/web-app-manifest.mjs (the app's web app manifest). */

/** One icon of the manifest: a file under public/, its size ("192x192"), MIME type and purpose. */
export interface ManifestIcon {
  readonly src: string;
  readonly sizes: string;
  readonly type: string;
  readonly purpose: 'any' | 'maskable';
}

/** The manifest: names, start page, colours and the two icons (192 and 512 px, under public/) an install needs. */
export declare const WEB_APP_MANIFEST: Readonly<{
  name: string;
  short_name: string;
  description: string;
  id: string;
  start_url: string;
  scope: string;
  display: 'standalone';
  background_color: string;
  theme_color: string;
  icons: readonly ManifestIcon[];
}>;
