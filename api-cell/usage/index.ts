export { usageReport, type ServerUsage, type TenantUsage, type UsageDeps, type UsageReport, type UsageReportQuery } from './tenant-usage.js';
