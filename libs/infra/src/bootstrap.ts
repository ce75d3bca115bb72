import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AmqpBus, AmqpTransport, ServedQueue } from '@jss/bus';
import { Env, loadEnv } from '@jss/config';
import { createLogger } from '@jss/observability';
import { PinoNestLogger } from './pino-nest-logger';

/**
 * Starts one service: its queue consumers (the @EventPattern handlers of its controllers, checked
 * against the queues it serves) once every provider is ready, then HTTP for probes and metrics.
 */
export async function bootstrap(service: string, module: unknown, queues: (env: Env) => ServedQueue[] = () => []): Promise<void> {
  const env = safeEnv(service);
  const log = createLogger(service, env.LOG_LEVEL);
  try {
    const app = await NestFactory.create(module as never, { logger: new PinoNestLogger(log), abortOnError: false });
    app.enableShutdownHooks();
    const served = queues(env);
    if (served.length) {
      app.connectMicroservice({ strategy: new AmqpTransport(app.get(AmqpBus), served) });
      await app.startAllMicroservices();
    }
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

function safeEnv(service: string): Env {
  try {
    return loadEnv();
  } catch (err) {
    createLogger(service).fatal({ err: err instanceof Error ? err.message : String(err) }, `${service} failed to start`);
    process.exit(1);
  }
}
