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

// Keystone's parameter types: ids, names, descriptions, tags.
const id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9-]+$' });
const name64 = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' });
const name255 = Type.String({ minLength: 1, maxLength: 255, pattern: '\\S' });
const description = Type.Union([Type.String({ maxLength: 65535 }), Type.Null()]);
const tag = Type.String({ minLength: 1, maxLength: 255, pattern: '^[^,/]*$' });
const tags = Type.Array(tag, { maxItems: 80, uniqueItems: true });
const options = Type.Optional(Type.Record(Type.String(), Type.Unknown()));
const password = Type.Union([Type.String({ maxLength: 4096 }), Type.Null()]);

const projectFields = {
  name: name64,
  description: Type.Optional(description),
  enabled: Type.Optional(Type.Boolean()),
  tags: Type.Optional(tags),
  options,
};

/** POST /v3/projects. Unknown attributes are kept as extra ones, as Keystone does. */
export const ProjectCreateBody = Type.Object(
  {
    project: Type.Object(
      {
        ...projectFields,
        domain_id: Type.Optional(Type.Union([id, Type.Null()])),
        parent_id: Type.Optional(Type.Union([id, Type.Null()])),
        is_domain: Type.Optional(Type.Literal(false)),
      },
      { additionalProperties: true, maxProperties: 32 },
    ),
  },
  { additionalProperties: false },
);

export const ProjectUpdateBody = Type.Object(
  {
    project: Type.Object(
      { ...projectFields, name: Type.Optional(name64), domain_id: Type.Optional(id), is_domain: Type.Optional(Type.Literal(false)) },
      { additionalProperties: true, minProperties: 1, maxProperties: 32 },
    ),
  },
  { additionalProperties: false },
);

const userFields = {
  name: name255,
  password: Type.Optional(password),
  enabled: Type.Optional(Type.Boolean()),
  default_project_id: Type.Optional(Type.Union([id, Type.Null()])),
  email: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
  description: Type.Optional(description),
  options,
};

/** POST /v3/users. Unknown attributes (email, description...) are kept as extra ones. */
export const UserCreateBody = Type.Object(
  { user: Type.Object({ ...userFields, domain_id: Type.Optional(id) }, { additionalProperties: true, maxProperties: 32 }) },
  { additionalProperties: false },
);

export const UserUpdateBody = Type.Object(
  {
    user: Type.Object(
      { ...userFields, name: Type.Optional(name255), domain_id: Type.Optional(id) },
      { additionalProperties: true, minProperties: 1, maxProperties: 32 },
    ),
  },
  { additionalProperties: false },
);

/** POST /v3/users/{id}/password. */
export const PasswordChangeBody = Type.Object(
  { user: Type.Object({ password: Type.String({ maxLength: 4096 }), original_password: Type.String({ maxLength: 4096 }) }, { additionalProperties: false }) },
  { additionalProperties: false },
);

/** POST and PATCH /v3/roles (global roles only). */
export const RoleCreateBody = Type.Object(
  {
    role: Type.Object(
      { name: name255, description: Type.Optional(description), domain_id: Type.Optional(Type.Null()), options },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const RoleUpdateBody = Type.Object(
  {
    role: Type.Object(
      { name: Type.Optional(name255), description: Type.Optional(description), options },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);

const domainFields = { name: name64, description: Type.Optional(description), enabled: Type.Optional(Type.Boolean()), options };

/** POST and PATCH /v3/domains. */
export const DomainCreateBody = Type.Object({ domain: Type.Object(domainFields, { additionalProperties: false }) }, { additionalProperties: false });

export const DomainUpdateBody = Type.Object(
  { domain: Type.Object({ ...domainFields, name: Type.Optional(name64) }, { additionalProperties: false, minProperties: 1 }) },
  { additionalProperties: false },
);

/** POST and PATCH /v3/groups. */
export const GroupCreateBody = Type.Object(
  { group: Type.Object({ name: name64, domain_id: Type.Optional(id), description: Type.Optional(description) }, { additionalProperties: false }) },
  { additionalProperties: false },
);

export const GroupUpdateBody = Type.Object(
  {
    group: Type.Object(
      { name: Type.Optional(name64), domain_id: Type.Optional(id), description: Type.Optional(description) },
      { additionalProperties: false, minProperties: 1 },
    ),
  },
  { additionalProperties: false },
);

/** PUT /v3/projects/{id}/tags: the whole list at once. */
export const ProjectTagsBody = Type.Object({ tags }, { additionalProperties: false });

/** PUT /v3/projects/{id}/tags/{tag}: one tag, checked as Keystone checks the list's. */
export const ProjectTag = tag;
