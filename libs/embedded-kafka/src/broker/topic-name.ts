/** Kafka's topic name rule: 1-249 chars of [a-zA-Z0-9._-], not "." or "..". */
const LEGAL = /^[a-zA-Z0-9._-]+$/;
const MAX_LENGTH = 249;

export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_LENGTH && LEGAL.test(name) && name !== '.' && name !== '..';
}
