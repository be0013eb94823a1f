import { InvalidInputError } from '../../ops/runtime/index.js';
import { specRules, type SpecRule } from './spec-rules.js';

interface CompiledRule extends SpecRule {
  nameRegex: RegExp;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `hw:numa_cpus.{num}` becomes a regex with the parameter's pattern in place of `{num}`. */
function nameRegexOf(rule: SpecRule, template = rule.name): string {
  return template
    .split(/(\{\w+\})/)
    .map((part) => {
      const param = /^\{(\w+)\}$/.exec(part)?.[1];
      return param !== undefined && rule.params?.[param] !== undefined ? `(?:${rule.params[param]})` : escape(part);
    })
    .join('');
}

const byName = new Map<string, CompiledRule>();
const compiled: CompiledRule[] = specRules.map((rule) => {
  const entry = { ...rule, nameRegex: new RegExp(`^(?:${nameRegexOf(rule)})$`) };
  byName.set(rule.name, entry);
  return entry;
});
/** The namespaces (the part before the first ':') that have rules: an unknown key in one is refused. */
const namespaces = [...new Set(compiled.filter((r) => r.name.includes(':')).map((r) => nameRegexOf(r, r.name.split(':')[0])))].map(
  (ns) => new RegExp(`^(?:${ns})$`),
);

const fail = (message: string): never => {
  throw new InvalidInputError(`Validation failed; ${message}`);
};

function checkValue(rule: CompiledRule, value: string): void {
  if (rule.type === 'int') {
    if (!/^\s*[+-]?\d+\s*$/.test(value)) fail(`'${value}' is not a valid integer value.`);
    const n = Number(value);
    if (rule.max !== undefined && n > rule.max) fail(`'${value}' is greater than the max value of '${rule.max}'.`);
    if (rule.min !== undefined && n < rule.min) fail(`'${value}' is less than the min value of '${rule.min}'.`);
  } else if (rule.type === 'bool') {
    if (!['1', 't', 'true', 'on', 'y', 'yes', '0', 'f', 'false', 'off', 'n', 'no'].includes(value.trim().toLowerCase())) {
      fail(`'${value}' is not a valid boolean-like value.`);
    }
  } else if (rule.pattern !== undefined) {
    if (!new RegExp(`^(?:${rule.pattern})$`).test(value)) fail(`'${value}' is not of the format '${rule.pattern}'.`);
  } else if (rule.enum && !rule.enum.includes(value)) {
    fail(`'${value}' is not one of: ${rule.enum.join(', ')}.`);
  }
}

/**
 * Checks one extra spec as Nova does from 2.86: a known key's value must fit its rule; an
 * unknown key is refused only inside a namespace Nova knows (`hw:`, `quota:`, ...).
 */
export function validateExtraSpec(name: string, value: string): void {
  const rule = byName.get(name) ?? compiled.find((r) => r.nameRegex.test(name));
  if (rule) {
    checkValue(rule, value);
    return;
  }
  const colon = name.indexOf(':');
  if (colon < 0) return;
  const namespace = name.slice(0, colon);
  if (namespaces.some((ns) => ns.test(namespace))) fail(`extra spec '${name}' does not appear to be a valid extra spec.`);
}
