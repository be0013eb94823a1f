export {
  createFlavor,
  defaultFlavors,
  ensureDefaultFlavors,
  findFlavor,
  flavorSnapshot,
  listFlavors,
  type Flavor,
  type FlavorSpec,
  type FlavorViewer,
} from './store.js';
