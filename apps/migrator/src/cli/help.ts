import { environmentHelp } from '@soulspot/observability';
import { configSpec } from '../config';

export const COMMANDS = ['schema', 'replay', 'verify', 'finalize', 'restore-legacy', 'status', 'run'] as const;
export type Command = (typeof COMMANDS)[number];

const COMMAND_HELP: Record<Command, string> = {
  schema: `migrator schema [--dry-run] [--json]
  The only DDL path of the soulspot database. Fresh or already managed database: applies the pending
  migrations of libs/library-db. Legacy SoulSpot database (soulspot_*/spotify_* tables, no migration
  history): in ONE transaction moves the legacy tables whose names the new schema reuses into schema
  legacy_backup, creates the fresh schema with the same migrations (recorded as applied) and turns
  spotify_sync_status into provider_sync_status rows. Re-running is a no-op.
  --dry-run  do everything inside the transaction and roll it back`,
  replay: `migrator replay [--dry-run] [--restart] [--json]
  Publishes every legacy row as an event (origin LEGACY_MIGRATION for spotify_*, BACKFILL for the
  pre-migration soulspot_* rows) from one REPEATABLE READ snapshot, in keyset pages, resuming after the
  last page the broker acknowledged (migrator_replay_cursors). Needs KAFKA_BROKERS.
  --dry-run  read and build every event, publish nothing, store no cursor
  --restart  forget the cursors and publish everything again (identical events)`,
  verify: `migrator verify [--no-wait] [--dry-run] [--json]
  Waits until library-service's checkpoints reach the topic's end, then checks that every legacy row has
  exactly one counterpart (artists/albums by Spotify URI, tracks by ISRC or URI, pre-existing rows by their
  provider keys) and spot-checks fields. Exit status 1 with the missing rows listed when anything is missing.
  --no-wait  check what is projected now, do not wait for the projection
  --dry-run  check and report, but do not store the result (the one finalize's gate reads)`,
  finalize: `migrator finalize --confirm [--dry-run] [--json]
  Refuses (exit 3) unless the last verify passed and the legacy tables did not change since. Then, in ONE
  transaction: copies spotify_artists/albums/tracks into legacy_backup (row counts checked) and drops them;
  drops the plaintext OAuth backups.`,
  'restore-legacy': `migrator restore-legacy [--dry-run] [--json]
  Undoes finalize: re-creates spotify_artists/albums/tracks from legacy_backup (counts checked, foreign keys).`,
  status: `migrator status [--json]
  Schema state, pending migrations, legacy and backup tables with row counts, replay cursors, last verify,
  projection lag (when KAFKA_BROKERS is set) and the next step.`,
  run: `migrator run [--dry-run] [--no-finalize] [--json]
  schema -> replay -> verify -> finalize, stopping at the first failed gate (the Kubernetes Job).
  --no-finalize  stop after a passing verify`,
};

export function commandHelp(command: Command): string {
  return `${COMMAND_HELP[command]}\n\n${environmentHelp(configSpec)}`;
}

export function usage(): string {
  return `Usage: migrator <command> [options]

Migrates a legacy SoulSpot database to the event-sourced library: schema, replay, verify, finalize.

Commands:
${COMMANDS.map((c) => `  ${COMMAND_HELP[c].split('\n')[0]}`).join('\n')}

Run \`migrator <command> --help\` for details.
Exit status: 0 ok, 1 failed (e.g. verify found missing rows), 2 usage/configuration error, 3 refused by a safety gate.

${environmentHelp(configSpec)}`;
}

