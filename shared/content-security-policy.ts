/**
 * The Content-Security-Policy of every page: Electron's app:// pages and the preview host's
 * pages alike (Electron security checklist item 7).
 * - no 'unsafe-inline' / 'unsafe-eval': an injected <script> or onclick= does not run;
 * - only 'self' (the page's own app:// origin): no remote script, style, image or fetch;
 * - object-src 'none', base-uri 'none', frame-ancestors 'none', form-action 'none':
 *   no plugins, no <base> hijack of relative URLs, no framing, no form posts elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
