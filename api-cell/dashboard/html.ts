/** HTML that is already safe to send: built only by `html` or `raw`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => entities[c] ?? c);

/** Markup the caller vouches for (a constant, or JSON for a script block). */
export const raw = (text: string): Html => new Html(text);

type Slot = Html | string | number | boolean | null | undefined | Slot[];

function render(value: Slot): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (value instanceof Html) return value.text;
  return escapeHtml(String(value));
}

/** A template whose every slot is escaped, unless it is Html already. */
export function html(strings: TemplateStringsArray, ...slots: Slot[]): Html {
  let out = strings[0] ?? '';
  slots.forEach((slot, i) => (out += render(slot) + (strings[i + 1] ?? '')));
  return new Html(out);
}

/** JSON for a <script type="application/json"> block: `<` escaped so no value can close the tag. */
export const jsonBlock = (id: string, value: unknown): Html =>
  raw(`<script type="application/json" id="${escapeHtml(id)}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`);
