export { bootstrapInventory, downInventory, inventoryCa, loadInventory, readState, upInventory } from './deploy.js';
export { planHosts, renderPlan } from './hosts.js';
export { createMachines, removeMachines, type MachineNetwork, type NamespaceMachine } from './network.js';
export { basePorts, planInventory, type InventoryPlan, type InventoryState, type MachinePlan, type Placed } from './plan.js';
export { InventorySchema, readInventory, toInventory, type Inventory } from './schema.js';
