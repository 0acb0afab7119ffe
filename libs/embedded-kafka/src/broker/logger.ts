/** Minimal logger shape (pino-compatible) so the broker does not force a logging library on its users. */
export interface BrokerLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => undefined;
export const silentLogger: BrokerLogger = { debug: noop, info: noop, warn: noop, error: noop };
