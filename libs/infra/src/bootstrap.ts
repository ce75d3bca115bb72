import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadEnv } from '@jss/config';
import { createLogger } from '@jss/observability';
import { PinoNestLogger } from './pino-nest-logger';

/** Starts one service: HTTP for probes and metrics, consumers once every provider is ready. */
export async function bootstrap(service: string, module: unknown): Promise<void> {
  const log = createLogger(service);
  try {
    const env = loadEnv();
    const app = await NestFactory.create(module as never, { logger: new PinoNestLogger(log), abortOnError: false });
    app.enableShutdownHooks();
    await app.listen(env.HTTP_PORT, env.HTTP_HOST);
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : env.HTTP_PORT;
    // with HTTP_PORT=0 the port is known only now: say where /metrics, /healthz and /readyz are
    const host = ['0.0.0.0', '::'].includes(env.HTTP_HOST)
      ? '127.0.0.1'
      : env.HTTP_HOST.includes(':')
        ? `[${env.HTTP_HOST}]`
        : env.HTTP_HOST;
    const url = `http://${host}:${port}`;
    log.info({ port, url }, `${service} listening on ${url} (/metrics, /healthz, /readyz)`);
  } catch (err) {
    log.fatal({ err: err instanceof Error ? err.message : String(err) }, `${service} failed to start`);
    process.exit(1);
  }
}
