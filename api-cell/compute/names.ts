import { randomBytes } from 'node:crypto';

/** Nova's reservation ids: r-xxxxxxxx. */
export function newReservationId(): string {
  return `r-${randomBytes(6).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 8)}`;
}

/** A password like Nova's generated adminPass: 12 characters, no look-alikes. */
export function newAdminPass(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A DNS-safe hostname from a display name, as Nova sanitizes it. */
export function hostnameFor(displayName: string): string {
  const cleaned = displayName
    .toLowerCase()
    .replace(/[ _]/g, '-')
    .replace(/[^a-z0-9.-]/g, '')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 63);
  return cleaned || 'server';
}

/** Multi-create names: "name-1", "name-2", ... (Nova's default template). */
export function displayNameFor(name: string, index: number, count: number): string {
  return count > 1 ? `${name}-${index + 1}` : name;
}

/**
 * An IPv6 address in its canonical text (RFC 5952: lower case, longest zero run folded, an
 * embedded IPv4 tail as hex), as Nova stores accessIPv6; the URL parser already writes that form.
 */
export function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}
