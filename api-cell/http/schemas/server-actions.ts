import { Type, type TSchema } from '@sinclair/typebox';
import { description, metadata, name } from './common.js';

const empty = Type.Null();
const nothingOrEmpty = Type.Union([Type.Null(), Type.Object({}, { additionalProperties: false })]);

/** One strict schema per server action (Nova's schemas/*.py), by the action's key. */
export const actionSchemas: Record<string, TSchema> = {
  addSecurityGroup: Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
  removeSecurityGroup: Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }),
  'os-stop': empty,
  'os-start': empty,
  reboot: Type.Object({ type: Type.String({ pattern: '^(SOFT|Soft|soft|HARD|Hard|hard)$' }) }, { additionalProperties: false }),
  pause: empty,
  unpause: empty,
  suspend: empty,
  resume: empty,
  lock: Type.Union([Type.Null(), Type.Object({ locked_reason: Type.Optional(Type.String({ minLength: 0, maxLength: 255 })) }, { additionalProperties: false })]),
  unlock: empty,
  rebuild: Type.Object(
    {
      imageRef: Type.String({ minLength: 1, maxLength: 255 }),
      name: Type.Optional(name),
      adminPass: Type.Optional(Type.String()),
      metadata: Type.Optional(metadata),
      accessIPv4: Type.Optional(Type.String({ format: 'ipv4' })),
      accessIPv6: Type.Optional(Type.String({ format: 'ipv6' })),
      'OS-DCF:diskConfig': Type.Optional(Type.Union([Type.Literal('AUTO'), Type.Literal('MANUAL')])),
      preserve_ephemeral: Type.Optional(Type.Boolean()),
      description: Type.Optional(description),
      key_name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
      user_data: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
      hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    },
    { additionalProperties: false },
  ),
  resize: Type.Object(
    {
      flavorRef: Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Integer({ minimum: 1 })]),
      'OS-DCF:diskConfig': Type.Optional(Type.Union([Type.Literal('AUTO'), Type.Literal('MANUAL')])),
    },
    { additionalProperties: false },
  ),
  confirmResize: empty,
  revertResize: empty,
  migrate: Type.Union([Type.Null(), Type.Object({ host: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])) }, { additionalProperties: false })]),
  'os-migrateLive': Type.Object(
    {
      host: Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()]),
      block_migration: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('auto'), Type.String()])),
      disk_over_commit: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
      force: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  forceDelete: empty,
  restore: empty,
  createImage: Type.Object({ name, metadata: Type.Optional(metadata) }, { additionalProperties: false }),
  // rotation: a whole number, or its digits as a string (Nova's non_negative_integer).
  createBackup: Type.Object(
    { name, backup_type: Type.String(), rotation: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })]), metadata: Type.Optional(metadata) },
    { additionalProperties: false },
  ),
  rescue: Type.Union([
    Type.Null(),
    Type.Object(
      { adminPass: Type.Optional(Type.String()), rescue_image_ref: Type.Optional(Type.String({ format: 'uuid' })) },
      { additionalProperties: false },
    ),
  ]),
  unrescue: empty,
  shelve: empty,
  shelveOffload: empty,
  unshelve: Type.Union([
    Type.Null(),
    Type.Object(
      {
        availability_zone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255, pattern: '^\\S+$' }), Type.Null()])),
        host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      },
      { additionalProperties: false },
    ),
  ]),
  evacuate: Type.Object(
    {
      host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      adminPass: Type.Optional(Type.String()),
      onSharedStorage: Type.Optional(Type.Boolean()),
      force: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  changePassword: Type.Object({ adminPass: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  trigger_crash_dump: empty,
  'os-resetState': Type.Object({ state: Type.Union([Type.Literal('active'), Type.Literal('error')]) }, { additionalProperties: false }),
  'os-getConsoleOutput': Type.Object(
    { length: Type.Optional(Type.Union([Type.Integer({ minimum: -1 }), Type.String({ pattern: '^-?[0-9]+$' }), Type.Null()])) },
    { additionalProperties: false },
  ),
};

/** Actions whose body may also be `{}` in practice (clients send either). */
export const lenient = new Set(['os-stop', 'os-start', 'pause', 'unpause', 'suspend', 'resume', 'unlock', 'unrescue', 'shelve', 'shelveOffload', 'confirmResize', 'revertResize', 'forceDelete', 'restore']);
export const nullOrEmpty = nothingOrEmpty;
