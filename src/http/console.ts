import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** What the console's pages may load: only this origin (inline style attributes set widths of progress bars). */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/**
 * The web console (web/, built by `npm run build` into dist/console) under /console. Assets have hashed names
 * and are cached for good; every other /console path answers index.html, so deep links survive a reload.
 */
export async function consoleRoutes(app: FastifyInstance, options: { directory?: string } = {}): Promise<void> {
  const directory = options.directory ?? consoleDirectory();
  app.get('/console', async (_request, reply) => reply.redirect('/console/'));
  if (!existsSync(join(directory, 'index.html'))) {
    app.get('/console/*', async (_request, reply) =>
      reply.code(503).type('text/plain').send('The console is not built. Run `npm run build` (npm start does it), then reload.\n'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: join(directory, 'assets'),
    prefix: '/console/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
  });
  app.get('/console/*', async (request, reply) => {
    if (request.url.startsWith('/console/assets/')) return reply.code(404).type('text/plain').send('no such asset\n');
    return reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .sendFile('index.html', directory, { maxAge: 0, immutable: false, cacheControl: false });
  });
}

/** dist/console of the package, found from this module in src/http (tests, tsx) or dist/http (built). */
function consoleDirectory(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'console');
    if (dirname(dir) === dir) return join(process.cwd(), 'dist', 'console');
  }
}
