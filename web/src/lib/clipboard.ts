/**
 * Copies text with the asynchronous Clipboard API. Returns false where the browser refuses (no
 * secure context, or permission denied), so the caller can select the text for a manual copy.
 */
export async function copyText(text: string): Promise<boolean> {
  if (!window.isSecureContext || navigator.clipboard === undefined) return false;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Selects the contents of an element, so Ctrl+C / Cmd+C copies it. */
export function selectContents(element: HTMLElement): void {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}
