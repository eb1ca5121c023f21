/**
 * Saves text as a file without a server round trip: the body lives in a Blob behind a one-use
 * object URL that is revoked right after the browser takes it, so the credentials never sit in a
 * URL that can be revisited.
 */
export function downloadText(filename: string, body: string): void {
  // octet-stream: with text/plain Chromium renames `credentials` to `credentials.txt`.
  const url = URL.createObjectURL(new Blob([body], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the next task; revoking sooner can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
