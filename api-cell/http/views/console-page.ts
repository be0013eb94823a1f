const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);

export interface ConsolePageContent {
  title: string;
  /** The guest's screen (its console log); left out when there is nothing to show. */
  screen?: string | null;
  message?: string | undefined;
}

/**
 * The page a console URL opens. A fake guest has no framebuffer, so its "screen" is its serial
 * console, shown the way a terminal would and read again every few seconds.
 */
export function consolePage(content: ConsolePageContent): string {
  const refresh = content.screen ? '<meta http-equiv="refresh" content="5">' : '';
  const message = content.message ? `<p class="message">${escape(content.message)}</p>` : '';
  const screen = content.screen ? `<pre id="screen">${escape(content.screen)}</pre>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${refresh}<title>${escape(content.title)}</title>
<style>body{margin:0;background:#111;color:#ddd;font:14px/1.4 monospace}h1{font-size:14px;margin:0;padding:6px 10px;background:#333}pre{margin:0;padding:10px;white-space:pre-wrap}.message{padding:10px}</style>
</head><body><h1>${escape(content.title)}</h1>${message}${screen}</body></html>
`;
}
