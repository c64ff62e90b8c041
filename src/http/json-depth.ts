/**
 * JSON nested thousands of levels deep parses, but later makes JSON.stringify and recursive walks throw,
 * so every JSON body is checked against a depth limit right after parsing.
 */
export const MAX_JSON_DEPTH = 64;

export function exceedsDepth(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/**
 * PostgreSQL cannot store U+0000 in text or jsonb, so a body holding one (raw or as `\u0000` in JSON) is
 * refused up front with a clear error instead of failing when it is written.
 */
export function hasNulCharacter(text: string): boolean {
  return text.includes('\u0000') || /\\u0000/i.test(text);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * JSON may escape half of a UTF-16 surrogate pair (`"\ud800"`), which is no Unicode text: PostgreSQL's jsonb
 * refuses it, so a body holding one, in a key or a string, is refused up front on every backend.
 */
export function hasLoneSurrogate(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return true;
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (LONE_SURROGATE.test(key)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/**
 * Why a parsed JSON body (and its text) cannot be stored on every backend, as the rest of a sentence "the body
 * contains …", or undefined when it can: each protocol words its refusal in its own error format.
 */
export function unstorableContent(text: string, value: unknown): string | undefined {
  if (hasNulCharacter(text)) return 'a NUL character (U+0000), which cannot be stored';
  if (hasLoneSurrogate(value)) return 'a lone UTF-16 surrogate (such as \\ud800), which is not Unicode text and cannot be stored';
  return undefined;
}
