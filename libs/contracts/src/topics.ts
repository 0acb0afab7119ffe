/** The event topic is the source of truth; a new incompatible contract means a new topic version. */
export const LIBRARY_EVENTS_TOPIC = 'soulspot.library-events.v1';
export const LIBRARY_EVENTS_DLQ_TOPIC = `${LIBRARY_EVENTS_TOPIC}.dlq`;
export const DEFAULT_PARTITIONS = 12;
