export { validateExtraSpec } from './spec-check.js';
export { flavorSortKeys, listFlavors, type FlavorListQuery, type FlavorSortKey } from './list.js';
export {
  addFlavorAccess,
  deleteExtraSpec,
  deleteFlavor,
  flavorAccess,
  removeFlavorAccess,
  setExtraSpecs,
  updateFlavorDescription,
  type FlavorAccess,
} from './manage.js';
export {
  createFlavor,
  defaultFlavors,
  ensureDefaultFlavors,
  findFlavor,
  flavorSnapshot,
  type Flavor,
  type FlavorSpec,
  type FlavorViewer,
} from './store.js';
