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
  classQuotas,
  defaultQuotas,
  setClassQuotas,
  projectQuotas,
  projectQuotaUsage,
  quotaResources,
  resetProjectQuotas,
  setProjectQuotas,
  type QuotaResource,
  type QuotaValues,
} from './sets.js';
export { resetUserQuotas, setUserQuotas, userInstanceLimits, userQuotaMaximums, userQuotas, userQuotaUsage } from './user-sets.js';
