import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../../ops/runtime/index.js';

/** What a token says: who, in which project, with which roles, until when. */
export interface TokenClaims {
  userId: string;
  projectId: string | null;
  roles: string[];
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  auditId: string;
}

const prefix = 'cs1';

/**
 * Tokens signed with HMAC-SHA256 (like Keystone's Fernet tokens, they are not stored; unlike
 * them they are signed, not encrypted: nothing secret is in them). A token cannot be forged
 * without the secret, stops working at its expiry, and can be revoked by its audit id.
 */
export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string, private readonly ttlSeconds: number) {
    if (secret.length < 16) throw new Error('identity.token_secret must be at least 16 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  issue(claims: Omit<TokenClaims, 'issuedAt' | 'expiresAt' | 'auditId'>, now = Date.now()): { token: string; claims: TokenClaims } {
    const full: TokenClaims = {
      ...claims,
      issuedAt: now,
      expiresAt: now + this.ttlSeconds * 1000,
      auditId: randomBytes(16).toString('base64url'),
    };
    const body = Buffer.from(
      JSON.stringify({ u: full.userId, p: full.projectId, r: full.roles, m: full.methods, i: full.issuedAt, e: full.expiresAt, a: full.auditId }),
    ).toString('base64url');
    return { token: `${prefix}.${body}.${this.sign(body)}`, claims: full };
  }

  /** The claims of a valid, unexpired token; anything else is an UnauthorizedError. */
  verify(token: string, now = Date.now()): TokenClaims {
    const [head, body, signature] = token.split('.');
    if (head !== prefix || !body || !signature) throw new UnauthorizedError('The request you have made requires authentication.');
    const expected = Buffer.from(this.sign(body), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new UnauthorizedError('The request you have made requires authentication.');
    }
    const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { u: string; p: string | null; r: string[]; m: string[]; i: number; e: number; a: string };
    if (c.e <= now) throw new UnauthorizedError('The token has expired.');
    return { userId: c.u, projectId: c.p, roles: c.r, methods: c.m, issuedAt: c.i, expiresAt: c.e, auditId: c.a };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(`${prefix}.${body}`).digest('base64url');
  }
}
