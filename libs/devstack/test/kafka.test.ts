import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { provisionKafka } from '../src/index';

function canConnect(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('provisionKafka', () => {
  it('gives a Kafka-protocol broker that kafkajs can use, and stops it', async () => {
    const kafka = await provisionKafka();
    try {
      const admin = new Kafka({ clientId: 'devstack-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'devstack-probe', numPartitions: 3 }] });
      expect(await admin.listTopics()).toContain('devstack-probe');
      await admin.disconnect();
    } finally {
      await kafka.stop();
    }
    if (kafka.mode === 'embedded') expect(await canConnect(kafka.brokers[0])).toBe(false);
  });
});
