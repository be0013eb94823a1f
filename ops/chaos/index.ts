export { checkInvariants, leftovers, type CheckDatabases, type ClientView, type InvariantReport, type Violation } from './checks.js';
export { deleteEverything, openConsoles, type CleanupOutcome } from './cleanup.js';
export { chaosReport, summaryLine, verdict, type ChaosResult } from './report.js';
export { runChaos, Teardown, type ChaosRunOptions } from './run.js';
export { ChaosScenarioSchema, loadScenario, readChaosScenario, toChaosScenario, type ChaosScenario, type Kill } from './scenario.js';
export { planKills, runKills, seededRandom, type KillRecord, type PlannedKill } from './schedule.js';
export { freePort, OwnServer, ownMariaDb, ownRedis } from './services.js';
export { apiWorkers, kindOf, killTarget, restartTarget, type ChaosParts } from './targets.js';
export { TimelineSampler, type StatusTimeline } from './timeline.js';
