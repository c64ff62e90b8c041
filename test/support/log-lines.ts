import { pino, type Logger } from 'pino';

/** A pino logger at `level` whose entries are kept, parsed, in `lines` (cleared with `lines.length = 0`). */
export function capturingLogger(level = 'info'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
