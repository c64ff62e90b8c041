import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { reloadTlsOnHangup, startService, stopOnSignals, type RunningService } from '../server.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the service (settings from PUSHGRAPH_* environment variables, overridden by these flags)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default 8080)', (text) => Number(text))
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain) file; needs --tls-key (PUSHGRAPH_TLS_CERT)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert (PUSHGRAPH_TLS_KEY)')
    .action(async (options: { host?: string; port?: number; logLevel?: string; tlsCert?: string; tlsKey?: string }, command: Command) => {
      const globals = command.optsWithGlobals<{ databaseUrl?: string; publicUrl?: string }>();
      const env = {
        ...process.env,
        ...(options.tlsCert ? { PUSHGRAPH_TLS_CERT: options.tlsCert } : {}),
        ...(options.tlsKey ? { PUSHGRAPH_TLS_KEY: options.tlsKey } : {}),
      };
      const config = loadConfig(env, {
        ...(options.host ? { host: options.host } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.logLevel ? { logLevel: options.logLevel } : {}),
        ...(globals.databaseUrl ? { databaseUrl: globals.databaseUrl } : {}),
        ...(globals.publicUrl ? { publicUrl: globals.publicUrl } : {}),
      });
      const logger = createLogger(config.logLevel);
      // SIGHUP reloads the TLS certificate. A renewal hook may send it while the service starts (migrations can take
      // a while): one listener from the first moment, since swapping listeners could lose a signal sent meanwhile.
      const started: { service?: RunningService; hungUp?: boolean } = {};
      process.on('SIGHUP', () => (started.service ? reloadTlsOnHangup(started.service, logger) : (started.hungUp = true)));
      started.service = await startService(config, logger);
      stopOnSignals(started.service, logger);
      if (started.hungUp) reloadTlsOnHangup(started.service, logger);
    });
}
