/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/**
 * Parses the Prometheus text format (version 0.0.4) strictly: every sample belongs to a family declared with
 * HELP and TYPE before it, names and labels are well formed, values are numbers, histograms' buckets are
 * cumulative and end with `+Inf` equal to `_count`. Throws with the line number on the first problem.
 */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  text.slice(0, -1).split('\n').forEach((line, index) => {
    const fail = (why: string) => {
      throw new Error(`line ${index + 1}: ${why}: ${line}`);
    };
    if (line === '') return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) fail('bad metric name');
      const family = families.get(name) ?? { name, type: '', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail('unknown type');
        if (family.samples.length > 0) fail('TYPE after samples');
        family.type = rest;
      } else family.help = rest;
      families.set(name, family);
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSample(line, fail);
    const family = familyOf(families, sample.name);
    if (!family) fail('sample without a declared family');
    family!.samples.push(sample);
  });
  for (const family of families.values()) {
    if (family.type === '') throw new Error(`${family.name} has no TYPE`);
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
  if (!match) fail('not a sample');
  const [, name, labelText, valueText] = match as unknown as [string, string, string | undefined, string];
  // Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes `Nan`).
  const special = /^([+-]?)(inf|nan)$/i.exec(valueText);
  const value = special ? (special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity) : Number(valueText);
  if (Number.isNaN(value) && !special) fail('value is not a number');
  const labels: Record<string, string> = {};
  let rest = labelText ?? '';
  while (rest !== '') {
    const label = /^([^=,]+)="((?:[^"\\]|\\["\\n])*)"(,|$)/.exec(rest);
    if (!label || !LABEL_NAME.test(label[1]!)) fail('bad label');
    if (Object.hasOwn(labels, label![1]!)) fail('repeated label');
    labels[label![1]!] = label![2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    rest = rest.slice(label![0].length);
  }
  return { name, labels, value };
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  const direct = families.get(sampleName);
  if (direct && !SUFFIXES[direct.type]) return direct;
  for (const family of families.values()) {
    const suffixes = SUFFIXES[family.type] ?? [''];
    if (suffixes.some((suffix) => `${family.name}${suffix}` === sampleName)) return family;
  }
  return undefined;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    if (!sample.name.endsWith('_bucket')) continue;
    const { le, ...rest } = sample.labels;
    if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, buckets] of series) {
    const counts = buckets.map((b) => b.value);
    if (counts.some((count, i) => i > 0 && count < counts[i - 1]!)) throw new Error(`${family.name}${key}: buckets not cumulative`);
    const last = buckets[buckets.length - 1]!;
    if (last.labels.le !== '+Inf') throw new Error(`${family.name}${key}: no +Inf bucket`);
    const count = family.samples.find((s) => s.name === `${family.name}_count` && JSON.stringify(s.labels) === key);
    if (count?.value !== last.value) throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
  }
}
