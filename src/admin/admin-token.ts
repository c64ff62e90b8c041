import type { GraphStore } from '../graph/store.js';
import { matchesHash, randomSecret, sha256Hex } from './secrets.js';

const ADMIN_TOKEN_HASH = 'admin_token_hash';
const ADMIN_TOKEN_PREFIX = 'pga_';

export type AdminTokenSetup = { generated: string } | { generated?: undefined };

/**
 * Makes sure an admin token exists. A configured token replaces the stored hash; with none configured and
 * none stored, one is generated and returned so it can be shown once. Several instances starting at once
 * race on setSettingIfAbsent, and only the winner's token is shown.
 */
export async function ensureAdminToken(store: GraphStore, configured: string | undefined): Promise<AdminTokenSetup> {
  if (configured) {
    await store.setSetting(ADMIN_TOKEN_HASH, sha256Hex(configured));
    return {};
  }
  if (await store.getSetting(ADMIN_TOKEN_HASH)) return {};
  const token = ADMIN_TOKEN_PREFIX + randomSecret();
  const won = await store.setSettingIfAbsent(ADMIN_TOKEN_HASH, sha256Hex(token));
  return won ? { generated: token } : {};
}

export async function isAdminToken(store: GraphStore, presented: string): Promise<boolean> {
  const hash = await store.getSetting(ADMIN_TOKEN_HASH);
  return hash !== undefined && matchesHash(presented, hash);
}
