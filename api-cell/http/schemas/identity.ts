import { Type } from '@sinclair/typebox';

const domainRef = Type.Object({ id: Type.Optional(Type.String()), name: Type.Optional(Type.String()) });
const ref = Type.Object({ id: Type.Optional(Type.String()), name: Type.Optional(Type.String()), domain: Type.Optional(domainRef) });

/** POST /v3/auth/tokens: password or token methods, optionally scoped to a project. */
export const AuthTokensBody = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String(), { minItems: 1 }),
      password: Type.Optional(
        Type.Object({
          user: Type.Object({
            id: Type.Optional(Type.String()),
            name: Type.Optional(Type.String()),
            domain: Type.Optional(domainRef),
            password: Type.String(),
          }),
        }),
      ),
      token: Type.Optional(Type.Object({ id: Type.String() })),
    }),
    scope: Type.Optional(Type.Union([Type.Literal('unscoped'), Type.Object({ project: Type.Optional(ref) }, { additionalProperties: true })])),
  }),
});
