import type { ImportGraph } from './graph.js';

/** A rule on which way imports may run between folders. */
export interface LayerRule {
  name: string;
  /** Folders (repo paths ending in `/`) whose files the rule holds for. */
  from: string[];
  /** Folders (ending in `/`), files, or `package:NAME` those files must not reach. */
  forbidden: string[];
  /** Places inside forbidden ones that may be reached all the same; the more specific entry wins. */
  allowed?: string[];
  /** Also through other files: any chain of imports counts, not only a direct one. */
  transitive: boolean;
  /** Test files (in a `test/` folder or named `*.test.ts`) may break it: they set up what they test. */
  exemptTests: boolean;
  why: string;
}

export interface Violation {
  rule: string;
  /** The importing file first, the forbidden target last. */
  chain: string[];
  why: string;
}

export function isTestFile(path: string): boolean {
  return path.endsWith('.test.ts') || path.split('/').includes('test');
}

function within(path: string, places: string[]): boolean {
  return closest(path, places) >= 0;
}

/** How specific the most specific of `places` holding `path` is (its length), or -1. */
function closest(path: string, places: string[]): number {
  return Math.max(-1, ...places.filter((p) => (p.endsWith('/') ? path.startsWith(p) : path === p)).map((p) => p.length));
}

function isForbidden(path: string, rule: LayerRule): boolean {
  return closest(path, rule.forbidden) > closest(path, rule.allowed ?? []);
}

/** The shortest chain of imports from `start` to something `rule` forbids, or null. */
function forbiddenChain(graph: ImportGraph, rule: LayerRule, start: string): string[] | null {
  const cameFrom = new Map<string, string>([[start, '']]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const target of graph.get(file) ?? []) {
      if (cameFrom.has(target)) continue;
      cameFrom.set(target, file);
      if (isForbidden(target, rule)) {
        const chain = [target];
        for (let at = file; at !== ''; at = cameFrom.get(at) ?? '') chain.unshift(at);
        return chain;
      }
      if (rule.transitive) queue.push(target);
    }
  }
  return null;
}

/** Every file that breaks a rule, with the chain of imports that shows it. */
export function checkLayers(graph: ImportGraph, rules: LayerRule[]): Violation[] {
  const violations: Violation[] = [];
  for (const rule of rules) {
    for (const file of [...graph.keys()].sort()) {
      if (!within(file, rule.from) || (rule.exemptTests && isTestFile(file))) continue;
      const chain = forbiddenChain(graph, rule, file);
      if (chain) violations.push({ rule: rule.name, chain, why: rule.why });
    }
  }
  return violations;
}

export function describeViolation(v: Violation): string {
  return `${v.chain[0]} reaches ${v.chain[v.chain.length - 1]} (${v.rule}: ${v.why})\n    ${v.chain.join('\n -> ')}`;
}
