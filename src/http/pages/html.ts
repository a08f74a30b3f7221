const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/**
 * Headers of every HTML page of the module (sign-in forms, token page, error pages):
 * no content-type sniffing, and no framing by any site, which closes clickjacking.
 */
export const HTML_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
};

/** Added on a page that shows a secret (a token, a sign-in form's state): kept by no cache, named in no Referer. */
export const SECRET_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

/** The way back to the application's home page, `/`, where signing out also lands: on every page of the module. */
export const HOME_LINK = '<a id="home" href="/">Home</a>';

/** A whole small page; `body` must already be escaped HTML. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
code,textarea{font-family:ui-monospace,monospace}.warning{background:#fff3cd;padding:.5rem 1rem;border-radius:.3rem}
button,.button{font-size:1rem;padding:.4rem 1rem}.code{font-size:.8rem;color:#555}</style></head>
<body>${body}</body></html>`;
}
