import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import { NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { loadEnv } from '@jss/config';
import { WORK } from '@jss/contract';
import { createLogger } from '@jss/observability';
import { AmqpBus } from './amqp-bus';
import { AmqpTransport } from './amqp-transport';
import { DeadLetter } from './dead-letter';
import { MessageController } from './message-controller';
import { SERVICE_QUEUES } from './topology';

@Controller()
class PartialProvisioner {
  @EventPattern(WORK.prepare.key) prepare() {}
  @EventPattern(WORK.finalize.key) finalize() {}
  // no handler for provision.power-off
}

@Controller()
class DoubledProvisioner {
  @EventPattern([WORK.prepare.key, WORK.finalize.key, WORK.powerOff.key]) all() {}
  @EventPattern(WORK.prepare.key) again() {}
}

@Controller()
class StrayHandler {
  @EventPattern([WORK.prepare.key, WORK.finalize.key, WORK.powerOff.key]) all() {}
  @EventPattern(WORK.range.key) range() {}
}

@MessageController()
class Poisoned {
  @EventPattern([WORK.prepare.key, WORK.finalize.key, WORK.powerOff.key]) all() {
    throw new DeadLetter("does not match task t: vms are not the task's");
  }
}

/** Starts a Nest app with one controller over the provisioner's queue; resolves with the start-up error, if any. */
async function startWith(controller: new () => unknown): Promise<string | null> {
  @Module({ controllers: [controller] })
  class AppModule {}
  const bus = new AmqpBus(loadEnv().AMQP_URL, createLogger('test', 'silent'));
  const app = await NestFactory.create(AppModule, { logger: false });
  app.connectMicroservice({ strategy: new AmqpTransport(bus, [{ spec: SERVICE_QUEUES.provisionerWork, prefetch: 1 }]) });
  try {
    await app.startAllMicroservices();
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await app.close();
    await bus.close();
  }
}

describe('a queue consumer', () => {
  it("hands the transport its handler's own error: a DeadLetter stays one (Nest would make it a generic RPC error)", async () => {
    @Module({ controllers: [Poisoned] })
    class AppModule {}
    const bus = new AmqpBus(loadEnv().AMQP_URL, createLogger('test', 'silent'));
    const transport = new AmqpTransport(bus, [{ spec: SERVICE_QUEUES.provisionerWork, prefetch: 1 }]);
    const app = await NestFactory.create(AppModule, { logger: false });
    app.connectMicroservice({ strategy: transport });
    try {
      await app.startAllMicroservices();
      const out = await transport.getHandlerByPattern(WORK.prepare.key)!({}, undefined);
      const error = await (isObservable(out) ? lastValueFrom(out) : Promise.resolve(out)).then(
        () => null,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(DeadLetter);
      expect((error as DeadLetter).reason).toMatch(/vms are not the task's/);
    } finally {
      await app.close();
      await bus.close();
    }
  });
});

describe('the start-up check of message handlers', () => {
  it('stops a service with a routing key of its queue that has no handler, naming the key', async () => {
    expect(await startWith(PartialProvisioner)).toMatch(/no handler for routing key provision\.power-off \(queue jss\.provisioner\.work\)/);
  });

  it('stops a service with two handlers for one key', async () => {
    expect(await startWith(DoubledProvisioner)).toMatch(/more than one handler for routing key provision\.prepare/);
  });

  it('stops a service with a handler for a key none of its queues receives', async () => {
    expect(await startWith(StrayHandler)).toMatch(/a handler for routing key rehydrate\.range, which no queue of this service receives/);
  });
});
