import { ifNotFound, InvalidInputError } from '../../../ops/runtime/index.js';
import type { RequestContext } from '../../context.js';
import type { ApiDatabase } from '../../db/index.js';
import { findImage } from '../../images/index.js';
import { newAdminPass } from '../names.js';
import type { ShowDeps } from '../show.js';
import type { ActionDeps } from './cast.js';
import { powerAction } from './power.js';

export interface RescueRequest {
  adminPass?: string;
  rescue_image_ref?: string;
}

/**
 * rescue: the host boots the guest from a rescue image (the one asked for, else the server's
 * own image) with its disk attached, and the server shows RESCUE until unrescued. Answers the
 * password the rescue system takes, as Nova does.
 */
export async function rescueServer(deps: ShowDeps & ActionDeps & { api: ApiDatabase }, context: RequestContext, uuid: string, r: RescueRequest): Promise<string> {
  const imageRef = r.rescue_image_ref;
  if (imageRef !== undefined) {
    const image = await findImage(deps.api, imageRef, { projectId: context.projectId, isAdmin: context.isAdmin }).catch(
      ifNotFound(() => {
        throw new InvalidInputError(`Image ${imageRef} could not be found.`);
      }),
    );
    if (image.status !== 'active') throw new InvalidInputError(`Image ${image.uuid} is not active.`);
  }
  await powerAction(deps, context, uuid, 'rescue', imageRef === undefined ? {} : { imageRef });
  return r.adminPass ?? newAdminPass();
}
