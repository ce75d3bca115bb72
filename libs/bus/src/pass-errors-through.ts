import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest turns a handler's error into a generic RPC error; the transport needs the error itself to
 * tell a dead letter (DeadLetter) from a retry. Set on every queue consumer by MessageController.
 */
@Catch()
export class PassErrorsThrough implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
