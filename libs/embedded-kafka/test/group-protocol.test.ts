import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../src/index.js';
import { DescribeGroupsApi, type DescribeGroupsResponse } from '../src/protocol/apis/describe-groups.js';
import { HeartbeatApi, type HeartbeatResponse } from '../src/protocol/apis/heartbeat.js';
import { JoinGroupApi, type JoinGroupResponse } from '../src/protocol/apis/join-group.js';
import { MetadataApi } from '../src/protocol/apis/metadata.js';
import { LeaveGroupApi, type LeaveGroupResponse } from '../src/protocol/apis/leave-group.js';
import { OffsetCommitApi, type OffsetCommitResponse } from '../src/protocol/apis/offset-commit.js';
import { SyncGroupApi, type SyncGroupResponse } from '../src/protocol/apis/sync-group.js';
import { ErrorCode } from '../src/protocol/errors.js';
import { RawClient, startTestBroker } from './helpers.js';

/** Group protocol edge cases driven over raw sockets (one connection per member, as real clients do). */
describe('group coordinator protocol', () => {
  let broker: RunningBroker;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await broker.stop();
  });

  async function client(): Promise<RawClient> {
    const c = await RawClient.connect(broker);
    clients.push(c);
    return c;
  }

  const joinBody = (groupId: string, memberId: string, metadata: string, sessionTimeoutMs = 10_000) => ({
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs: 5000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from(metadata) }],
  });

  async function join(c: RawClient, version: number, body: object): Promise<JoinGroupResponse> {
    c.send(JoinGroupApi, version, body);
    return (await c.receive<JoinGroupResponse>(JoinGroupApi, version)).body;
  }
  async function heartbeat(c: RawClient, groupId: string, generationId: number, memberId: string): Promise<number> {
    c.send(HeartbeatApi, 3, { groupId, generationId, memberId, groupInstanceId: null });
    return (await c.receive<HeartbeatResponse>(HeartbeatApi, 3)).body.errorCode;
  }
  async function describe_(c: RawClient, groupId: string) {
    c.send(DescribeGroupsApi, 2, { groups: [groupId] });
    return (await c.receive<DescribeGroupsResponse>(DescribeGroupsApi, 2)).body.groups[0]!;
  }

  it('runs MEMBER_ID_REQUIRED, join, sync, a second member, session expiry and leave', async () => {
    const g = 'raw-group';
    const a = await client();
    const b = await client();

    const first = await join(a, 5, joinBody(g, '', 'meta-a'));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^raw-test-/);
    const aId = first.memberId;
    const joined = await join(a, 5, joinBody(g, aId, 'meta-a'));
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, leader: aId, memberId: aId, protocolName: 'range' });
    expect(joined.members.map((m) => [m.memberId, m.metadata.toString()])).toEqual([[aId, 'meta-a']]);

    a.send(SyncGroupApi, 3, { groupId: g, generationId: 1, memberId: aId, groupInstanceId: null, assignments: [{ memberId: aId, assignment: Buffer.from('all') }] });
    expect((await a.receive<SyncGroupResponse>(SyncGroupApi, 3)).body).toMatchObject({ errorCode: 0, assignment: Buffer.from('all') });
    expect(await describe_(a, g)).toMatchObject({ groupState: 'Stable', protocolData: 'range' });

    // b joins with v2 (no MEMBER_ID_REQUIRED round): its JoinGroup is parked until a rejoins.
    b.send(JoinGroupApi, 2, joinBody(g, '', 'meta-b', 1500));
    await new Promise((r) => setTimeout(r, 50));
    expect(await heartbeat(a, g, 1, aId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await describe_(a, g)).groupState).toBe('PreparingRebalance');
    const aGen2 = await join(a, 5, joinBody(g, aId, 'meta-a'));
    const bGen2 = (await b.receive<JoinGroupResponse>(JoinGroupApi, 2)).body;
    expect(aGen2).toMatchObject({ errorCode: 0, generationId: 2, leader: aId });
    expect(aGen2.members).toHaveLength(2);
    expect(bGen2).toMatchObject({ errorCode: 0, generationId: 2, leader: aId, members: [] });
    const bId = bGen2.memberId;

    // The follower's SyncGroup waits for the leader's assignments.
    b.send(SyncGroupApi, 1, { groupId: g, generationId: 2, memberId: bId, assignments: [] });
    await new Promise((r) => setTimeout(r, 50));
    a.send(SyncGroupApi, 3, {
      groupId: g,
      generationId: 2,
      memberId: aId,
      groupInstanceId: null,
      assignments: [
        { memberId: aId, assignment: Buffer.from('half-a') },
        { memberId: bId, assignment: Buffer.from('half-b') },
      ],
    });
    expect((await a.receive<SyncGroupResponse>(SyncGroupApi, 3)).body.assignment.toString()).toBe('half-a');
    expect((await b.receive<SyncGroupResponse>(SyncGroupApi, 1)).body.assignment.toString()).toBe('half-b');

    // Stale generation and unknown member are refused.
    expect(await heartbeat(a, g, 1, aId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await heartbeat(a, g, 2, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    // b stops heartbeating: after its 1.5 s session the group rebalances without it.
    const deadline = Date.now() + 5000;
    let code = ErrorCode.NONE as number;
    while (code === ErrorCode.NONE && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      code = await heartbeat(a, g, 2, aId);
    }
    expect(code).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aGen3 = await join(a, 5, joinBody(g, aId, 'meta-a'));
    expect(aGen3).toMatchObject({ errorCode: 0, generationId: 3, leader: aId });
    expect(aGen3.members.map((m) => m.memberId)).toEqual([aId]);

    // Leaving empties the group (kafkajs admin requires Empty before setOffsets).
    a.send(LeaveGroupApi, 3, { groupId: g, members: [{ memberId: aId, groupInstanceId: null }] });
    expect((await a.receive<LeaveGroupResponse>(LeaveGroupApi, 3)).body).toMatchObject({ errorCode: 0, members: [{ memberId: aId, errorCode: 0 }] });
    expect(await describe_(a, g)).toMatchObject({ groupState: 'Empty', members: [] });
  });

  it('removes a member that does not rejoin within the rebalance timeout', async () => {
    const g = 'raw-group-rebalance-timeout';
    const a = await client();
    const b = await client();
    const c = await client();
    const body = (memberId: string, meta: string) => ({ ...joinBody(g, memberId, meta), rebalanceTimeoutMs: 600 });
    const aRes = await join(a, 2, body('', 'a'));
    const aId = aRes.memberId;
    const bJoin = join(b, 2, body('', 'b'));
    await new Promise((r) => setTimeout(r, 50));
    const aGen2 = await join(a, 2, body(aId, 'a'));
    expect((await bJoin).generationId).toBe(aGen2.generationId);
    a.send(SyncGroupApi, 1, { groupId: g, generationId: aGen2.generationId, memberId: aId, assignments: [] });
    expect((await a.receive<SyncGroupResponse>(SyncGroupApi, 1)).body.errorCode).toBe(ErrorCode.NONE);

    // c joins; only a rejoins. After 600 ms b is dropped and the rebalance completes with a and c.
    const started = Date.now();
    const cJoin = join(c, 2, body('', 'c'));
    await new Promise((r) => setTimeout(r, 50));
    const aAgain = await join(a, 2, body(aId, 'a'));
    const cRes = await cJoin;
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(aAgain.errorCode).toBe(ErrorCode.NONE);
    expect(cRes.generationId).toBe(aAgain.generationId);
    const leaderView = aAgain.leader === aAgain.memberId ? aAgain : cRes;
    expect(leaderView.members.map((m) => m.metadata.toString()).sort()).toEqual(['a', 'c']);
  });

  it('rejects bad joins: inconsistent protocols, unknown member, invalid session timeout', async () => {
    const g = 'raw-group-errors';
    const a = await client();
    const joined = await join(a, 2, joinBody(g, '', 'x'));
    expect(joined.errorCode).toBe(0);
    const other = await client();
    const mismatch = await join(other, 2, { ...joinBody(g, '', 'y'), protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] });
    expect(mismatch.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join(other, 2, joinBody(g, 'ghost', 'y'))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await join(other, 2, joinBody(g, '', 'y', 10))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
  });

  it('allows simple commits (generation -1) only while the group has no members', async () => {
    const c = await client();
    const commit = async (groupId: string, generationId: number, memberId: string, topic: string): Promise<number> => {
      c.send(OffsetCommitApi, 2, {
        groupId,
        generationId,
        memberId,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 5n, committedMetadata: null }] }],
      });
      return (await c.receive<OffsetCommitResponse>(OffsetCommitApi, 2)).body.topics[0]!.partitions[0]!.errorCode;
    };
    c.send(MetadataApi, 6, { topics: [{ name: 'simple-topic' }], allowAutoTopicCreation: true });
    await c.receive(MetadataApi, 6);
    expect(await commit('simple-group', -1, '', 'simple-topic')).toBe(ErrorCode.NONE);
    expect(await commit('simple-group', -1, '', 'no-such-topic')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const joined = await join(c, 2, joinBody('simple-group', '', 'm'));
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    expect(await commit('simple-group', -1, '', 'simple-topic')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await commit('simple-group', joined.generationId - 1, joined.memberId, 'simple-topic')).toBe(ErrorCode.ILLEGAL_GENERATION);
    // Between JoinGroup and the leader's SyncGroup commits are refused; once Stable they are accepted.
    expect(await commit('simple-group', joined.generationId, joined.memberId, 'simple-topic')).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    c.send(SyncGroupApi, 1, { groupId: 'simple-group', generationId: joined.generationId, memberId: joined.memberId, assignments: [] });
    expect((await c.receive<SyncGroupResponse>(SyncGroupApi, 1)).body.errorCode).toBe(ErrorCode.NONE);
    expect(await commit('simple-group', joined.generationId, joined.memberId, 'simple-topic')).toBe(ErrorCode.NONE);
  });
});
