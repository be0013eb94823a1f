import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Nova's key pair names: letters, digits, '_', '-' and spaces, not starting or ending with a space. */
const name = Type.String({ minLength: 1, maxLength: 255, pattern: '^(?! )[_\\- a-zA-Z0-9]+(?<! )$' });
/** From 2.92 '@' and '.' are allowed too. */
const nameV292 = Type.String({ minLength: 1, maxLength: 255, pattern: '^(?! )[_\\-@. a-zA-Z0-9]+(?<! )$' });
const type = Type.Union([Type.Literal('ssh'), Type.Literal('x509')]);
const publicKey = Type.String();

const wrap = <T extends TSchema>(keypair: T) => Type.Object({ keypair }, { additionalProperties: false });

/** POST /os-keypairs, one schema per microversion range where the body changed. */
export const CreateKeypairBody = wrap(Type.Object({ name, public_key: Type.Optional(publicKey) }, { additionalProperties: false }));
export const CreateKeypairBodyV22 = wrap(Type.Object({ name, type: Type.Optional(type), public_key: Type.Optional(publicKey) }, { additionalProperties: false }));
export const CreateKeypairBodyV210 = wrap(
  Type.Object({ name, type: Type.Optional(type), public_key: Type.Optional(publicKey), user_id: Type.Optional(Type.String()) }, { additionalProperties: false }),
);
/** From 2.92 a key pair can only be imported: public_key is required. */
export const CreateKeypairBodyV292 = wrap(
  Type.Object({ name: nameV292, type: Type.Optional(type), public_key: publicKey, user_id: Type.Optional(Type.String()) }, { additionalProperties: false }),
);
export type CreateKeypairBody = Static<typeof CreateKeypairBodyV210>;

const many = <T extends TSchema>(item: T) => Type.Optional(Type.Array(item));
const userId = { user_id: many(Type.String()) };
const paging = { limit: many(Type.Integer({ minimum: 0 })), marker: many(Type.String()) };

/** Query parameters: user_id from 2.10, limit and marker (list only) from 2.35, nothing unknown from 2.75. */
export const KeypairQueryV21 = Type.Object({}, { additionalProperties: true });
export const KeypairQueryV210 = Type.Object(userId, { additionalProperties: true });
export const KeypairListQueryV235 = Type.Object({ ...userId, ...paging }, { additionalProperties: true });
export const KeypairListQueryV275 = Type.Object({ ...userId, ...paging }, { additionalProperties: false });
export const KeypairQueryV275 = Type.Object(userId, { additionalProperties: false });
export type KeypairQuery = { user_id?: string[]; limit?: number[]; marker?: string[] };
