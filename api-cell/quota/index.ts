export {
  chargeInstances,
  ensureUsageRows,
  instanceResources,
  quotaLimits,
  quotaUsage,
  releaseInstances,
  type ChargeRequest,
  type InstanceResource,
  type InstanceUsage,
} from './usage.js';
