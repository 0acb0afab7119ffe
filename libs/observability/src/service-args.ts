import { environmentHelp, type ConfigSpec } from './config';

/** What a long-running service does with its command line. */
export type ServiceArgsAction = { kind: 'run' } | { kind: 'help'; text: string } | { kind: 'usage-error'; text: string };

export interface ServiceDescription {
  /** The command that starts it, e.g. `npm start -w library-service` or `node main.js`. */
  usage: string;
  /** A paragraph on what it does. */
  summary: string;
  spec: ConfigSpec;
}

/**
 * Services are configured by environment variables only, so the only argument they take is --help (which lists those
 * variables). Anything else is refused rather than ignored: an operator who passes `--port 9000` must not get a
 * service on the default port.
 */
export function serviceArgsAction(argv: readonly string[], service: ServiceDescription): ServiceArgsAction {
  const help = `usage: ${service.usage}\n\n${service.summary}\n\n${environmentHelp(service.spec)}\n`;
  if (argv.length === 0) return { kind: 'run' };
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) return { kind: 'help', text: help };
  return {
    kind: 'usage-error',
    text: `unexpected argument: ${argv[0]} (configure the service through environment variables)\n\n${help}`,
  };
}

/** Applies `serviceArgsAction` to this process: prints help and exits 0, or the error and exits 2, or returns. */
export function handleServiceArgs(service: ServiceDescription, argv: readonly string[] = process.argv.slice(2)): void {
  const action = serviceArgsAction(argv, service);
  if (action.kind === 'help') {
    process.stdout.write(action.text);
    process.exit(0);
  }
  if (action.kind === 'usage-error') {
    process.stderr.write(action.text);
    process.exit(2);
  }
}
