import pino from 'pino';

/** One JSON line per event; child loggers carry service, taskId and commandId. */
export type Logger = pino.Logger;

export function createLogger(service: string, level = 'info'): Logger {
  return pino({ level, base: { service, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
