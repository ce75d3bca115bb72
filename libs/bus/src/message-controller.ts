import { Controller, UseFilters, applyDecorators } from '@nestjs/common';
import { PassErrorsThrough } from './pass-errors-through';

/**
 * A queue consumer: a Nest controller whose @EventPattern handlers hand their own errors to the
 * transport (a DeadLetter stays a DeadLetter). The filter is set per controller, as Nest registers a
 * hybrid app's handlers when the microservice is connected, before global filters could be added.
 */
export const MessageController = () => applyDecorators(Controller(), UseFilters(PassErrorsThrough));
