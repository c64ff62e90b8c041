import type { AttributeType } from './model.js';

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['String', 'Int64', 'Double', 'Bool', 'DateTime', 'Duration'];

/** Older templates use these names; they mean the same types. */
export const TYPE_ALIASES: Readonly<Record<string, AttributeType>> = {
  Integer: 'Int64',
  Boolean: 'Bool',
  Date: 'DateTime',
  Float: 'Double',
};

export function resolveAttributeType(declared: string): AttributeType | undefined {
  if ((ATTRIBUTE_TYPES as readonly string[]).includes(declared)) return declared as AttributeType;
  return Object.hasOwn(TYPE_ALIASES, declared) ? TYPE_ALIASES[declared] : undefined;
}

export function unknownTypeMessage(declared: string): string {
  return (
    `unknown type ${JSON.stringify(declared)}; expected one of ${ATTRIBUTE_TYPES.join(', ')} ` +
    `(aliases: ${Object.keys(TYPE_ALIASES).join(', ')})`
  );
}
