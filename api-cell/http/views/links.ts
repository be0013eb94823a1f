/** Nova's self and bookmark links for a resource. */
export function links(publicUrl: string, collection: string, id: string): { rel: string; href: string }[] {
  return [
    { rel: 'self', href: `${publicUrl}/v2.1/${collection}/${id}` },
    { rel: 'bookmark', href: `${publicUrl}/${collection}/${id}` },
  ];
}

/** Nova's timestamps: ISO 8601 in UTC without fractions, "2026-11-24T08:40:01Z". */
export function isoTime(value: Date | string | null | undefined): string | null {
  if (!value) return null;
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
