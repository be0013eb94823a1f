export { VirtError, type GuestDiagnostics, type GuestSpec, type HostResources, type VirtDriver } from './driver.js';
export { FakeDriver, type FakeDriverOptions } from './fake-driver.js';
export { drawMs, type Duration, type TimeDistribution } from './durations.js';
