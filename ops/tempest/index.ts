export { prepareCloud, tempestFlavors, type AdminCredentials, type CloudFacts } from './cloud.js';
export { tempestConf } from './conf.js';
export { ensureTempest } from './install.js';
export { failureCause, shortId, skipReason, summarize, writeReport, type RunSummary } from './report.js';
export { forgetWorkspace, makeWorkspace, runTempest, type RunRequest } from './run.js';
export { fullSuite, readSelection } from './selection.js';
export { parseSubunit, type TestResult, type TestStatus } from './subunit.js';
