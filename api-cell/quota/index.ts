export {
  addUsage,
  chargeDelta,
  ensureUsageRows,
  fitCount,
  instanceResources,
  lockUsage,
  quotaLimits,
  quotaUsage,
  releaseInstances,
  type ChargeRequest,
  type InstanceResource,
  type InstanceUsage,
} from './usage.js';
export {
  defaultQuotas,
  projectQuotas,
  projectQuotaUsage,
  quotaResources,
  resetProjectQuotas,
  setProjectQuotas,
  type QuotaResource,
  type QuotaValues,
} from './sets.js';
