export { allocationsOf, claimResources, freeAllocations, type Allocation, type Claim, type ClaimOutcome, type ClaimResult } from './claims.js';
export { removeProviders, syncProviders, type NodeInventory } from './providers.js';
export { loadProviders } from './read.js';
export { capacityLeft, ResourceClass, whyNotFit, type Inventory, type Provider, type Resources } from './types.js';
export { moveAllocations } from './moves.js';
