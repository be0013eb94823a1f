import type { HostFilter } from './types.js';

/** Passes hosts whose cell takes new builds and answers (a disabled cell keeps its instances but gets no more). */
export const cellFilter: HostFilter = (host) => {
  if (host.cellDisabled) return `cell ${host.cellName} is disabled`;
  return host.cellDown ? `cell ${host.cellName} does not answer` : undefined;
};
