import { ConflictError, ForbiddenError, InvalidInputError } from '../../ops/runtime/index.js';
import type { Image, ImageChanges } from '../images/index.js';
import { PropertyName, PropertyValue, READ_ONLY, WRITABLE, type ImagePatchOp } from './schemas/images.js';
import { validate } from './validation.js';

const writable: Record<string, (typeof WRITABLE)[keyof typeof WRITABLE]> = WRITABLE;

/** Reads a JSON pointer's only segment ("/name", "/os~1distro" is "os/distro"). */
const attributeOf = (path: string): string => path.slice(1).replaceAll('~1', '/').replaceAll('~0', '~');

/**
 * Applies a Glance JSON patch to an image: core attributes are checked against the image schema,
 * anything else is a string property. Refusals are Glance's: 403 read-only, 409 missing or present.
 */
export function applyImagePatch(image: Image, ops: ImagePatchOp[], isAdmin: boolean): ImageChanges {
  const attributes: Record<string, unknown> = {};
  const properties = { ...image.properties };
  for (const { op, path, value } of ops) {
    const key = attributeOf(path);
    if (READ_ONLY.includes(key)) throw new ForbiddenError(`Attribute '${key}' is read-only.`);
    if (key in writable) {
      if (op === 'remove') throw new ForbiddenError(`Attribute '${key}' is a core attribute and cannot be removed.`);
      attributes[key] = checkAttribute(key, value, isAdmin);
      continue;
    }
    validate(PropertyName, key);
    if (op === 'remove' || op === 'replace') {
      if (!(key in properties)) throw new ConflictError(`Property ${key} does not exist.`);
    } else if (key in properties) throw new ConflictError(`Property ${key} already present.`);
    if (op === 'remove') delete properties[key];
    else properties[key] = validate<string>(PropertyValue, value);
  }
  return { attributes, properties };
}

/** One core attribute's new value, with Glance's policy on who may publish or give away an image. */
export function checkAttribute(key: string, value: unknown, isAdmin: boolean): unknown {
  const schema = writable[key];
  if (!schema) throw new InvalidInputError(`Unknown attribute '${key}'.`);
  if (value === undefined) throw new InvalidInputError(`Attribute '${key}' needs a value.`);
  try {
    validate(schema, value);
  } catch {
    throw new InvalidInputError(`Invalid value for attribute '${key}': ${JSON.stringify(value)}.`);
  }
  if (key === 'visibility' && value === 'public' && !isAdmin) throw new ForbiddenError('You are not authorized to complete publicize_image action.');
  if (key === 'owner' && !isAdmin) throw new ForbiddenError("Attribute 'owner' can be changed by admins only.");
  return value;
}
