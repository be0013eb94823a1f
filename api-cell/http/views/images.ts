import type { TSchema } from '@sinclair/typebox';
import type { Image } from '../../images/index.js';
import { WRITABLE } from '../schemas/images.js';
import { isoTime } from './links.js';

/** One image as Glance v2 shows it: core attributes, then its properties at the top level. */
export function imageView(image: Image): Record<string, unknown> {
  return {
    ...image.properties,
    id: image.uuid,
    name: image.name,
    status: image.status,
    visibility: image.visibility,
    protected: image.protected,
    os_hidden: image.os_hidden,
    checksum: image.checksum,
    os_hash_algo: image.os_hash_value ? 'sha512' : null,
    os_hash_value: image.os_hash_value,
    owner: image.owner,
    size: image.size,
    virtual_size: null,
    min_ram: image.min_ram,
    min_disk: image.min_disk,
    disk_format: image.disk_format,
    container_format: image.container_format,
    tags: image.tags,
    created_at: isoTime(image.created_at),
    updated_at: isoTime(image.updated_at ?? image.created_at),
    self: `/v2/images/${image.uuid}`,
    file: `/v2/images/${image.uuid}/file`,
    schema: '/v2/schemas/image',
  };
}

const readOnly = (type: string | string[], description: string): TSchema =>
  ({ type, readOnly: true, description }) as unknown as TSchema;

/** GET /v2/schemas/image: what an image document may hold (clients read it to validate). */
export function imageSchema(): Record<string, unknown> {
  return {
    name: 'image',
    additionalProperties: { type: 'string' },
    properties: {
      id: { type: 'string', pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$', description: 'An identifier for the image' },
      ...WRITABLE,
      status: readOnly('string', 'Status of the image'),
      size: readOnly(['null', 'integer'], 'Size of image file in bytes'),
      virtual_size: readOnly(['null', 'integer'], 'Virtual size of image in bytes'),
      checksum: readOnly(['null', 'string'], 'md5 hash of image contents.'),
      os_hash_algo: readOnly(['null', 'string'], 'Algorithm to calculate the os_hash_value'),
      os_hash_value: readOnly(['null', 'string'], 'Hexdigest of the image contents using the algorithm specified by the os_hash_algo'),
      created_at: readOnly('string', 'Date and time of image registration'),
      updated_at: readOnly('string', 'Date and time of the last image modification'),
      self: readOnly('string', 'An image self url'),
      file: readOnly('string', 'An image file url'),
      schema: readOnly('string', 'An image schema url'),
    },
    links: [
      { rel: 'self', href: '{self}' },
      { rel: 'enclosure', href: '{file}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

/** GET /v2/schemas/images: the list document. */
export function imagesSchema(): Record<string, unknown> {
  return {
    name: 'images',
    properties: {
      images: { type: 'array', items: imageSchema() },
      schema: { type: 'string' },
      first: { type: 'string' },
      next: { type: 'string' },
    },
    links: [
      { rel: 'first', href: '{first}' },
      { rel: 'next', href: '{next}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}
