/** Builds the places that problems point at, such as `entities.User.attributes[2].type`. */

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function member(base: string, key: string): string {
  const step = PLAIN_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (base === '') return step;
  return step.startsWith('[') ? `${base}${step}` : `${base}.${step}`;
}

export function item(base: string, index: number): string {
  return `${base}[${index}]`;
}
