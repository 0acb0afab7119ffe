/**
 * One classic consumer group (Kafka GroupMetadata + GroupCoordinator semantics, simplified to one node):
 * members, generations, the rebalance state machine and committed offsets.
 *
 *   Empty --join--> PreparingRebalance --all joined / rebalance timeout--> CompletingRebalance
 *   CompletingRebalance --leader SyncGroup--> Stable --join/leave/session expiry--> PreparingRebalance
 *   (last member gone) --> Empty;  deleted --> Dead
 */
import { randomUUID } from 'node:crypto';
import type { JoinGroupResponse } from '../protocol/apis/join-group.js';
import type { SyncGroupResponse } from '../protocol/apis/sync-group.js';
import { ErrorCode } from '../protocol/errors.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinRequestInfo {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  /** JoinGroup v4+: new members first get MEMBER_ID_REQUIRED with their id. */
  requireKnownMemberId: boolean;
}

type JoinAnswer = Omit<JoinGroupResponse, 'throttleTimeMs'>;
type SyncAnswer = Omit<SyncGroupResponse, 'throttleTimeMs'>;

export class Member {
  assignment: Buffer = Buffer.alloc(0);
  awaitingJoin: ((answer: JoinAnswer) => void) | null = null;
  awaitingSync: ((answer: SyncAnswer) => void) | null = null;
  sessionTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly memberId: string,
    public groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocols: Array<{ name: string; metadata: Buffer }>,
  ) {}

  metadataFor(protocol: string): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }
}

export interface CommittedOffset {
  offset: bigint;
  metadata: string | null;
}

const EMPTY = Buffer.alloc(0);

function sameProtocols(a: Member['protocols'], b: Member['protocols']): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry timers. */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private rebalanceTimer: NodeJS.Timeout | null = null;
  /** key: `${topic}\u0000${partition}` */
  readonly offsets = new Map<string, CommittedOffset & { topic: string; partition: number }>();

  constructor(readonly groupId: string) {}

  // ------------------------------------------------------------------------------------------ joining

  join(req: JoinRequestInfo): Promise<JoinAnswer> {
    if (this.state === 'Dead') return Promise.resolve(this.joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId));
    if (!this.protocolsCompatible(req)) return Promise.resolve(this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));

    if (req.memberId === '') {
      const memberId = `${req.clientId || 'member'}-${randomUUID()}`;
      if (req.requireKnownMemberId && req.groupInstanceId === null) {
        this.pending.set(
          memberId,
          setTimeout(() => this.pending.delete(memberId), req.sessionTimeoutMs).unref(),
        );
        return Promise.resolve(this.joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
      return this.addMemberAndRebalance(memberId, req);
    }

    const pendingTimer = this.pending.get(req.memberId);
    if (pendingTimer) {
      clearTimeout(pendingTimer);
      this.pending.delete(req.memberId);
      return this.addMemberAndRebalance(req.memberId, req);
    }

    const member = this.members.get(req.memberId);
    if (!member) return Promise.resolve(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
    return this.rejoin(member, req);
  }

  private protocolsCompatible(req: JoinRequestInfo): boolean {
    if (req.protocolType === '' || req.protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (req.protocolType !== this.protocolType) return false;
    const offered = new Set(req.protocols.map((p) => p.name));
    return this.candidateProtocols().some((name) => offered.has(name));
  }

  /** Protocols every current member supports. */
  private candidateProtocols(exclude?: string): string[] {
    let candidates: string[] | null = null;
    for (const m of this.members.values()) {
      if (m.memberId === exclude) continue;
      const names = m.protocols.map((p) => p.name);
      candidates = candidates === null ? names : candidates.filter((n) => names.includes(n));
    }
    return candidates ?? [];
  }

  private addMemberAndRebalance(memberId: string, req: JoinRequestInfo): Promise<JoinAnswer> {
    const member = new Member(
      memberId,
      req.groupInstanceId,
      req.clientId,
      req.clientHost,
      req.sessionTimeoutMs,
      req.rebalanceTimeoutMs,
      req.protocols,
    );
    if (this.members.size === 0) this.protocolType = req.protocolType;
    this.members.set(memberId, member);
    const answer = this.awaitJoin(member);
    this.prepareRebalance();
    this.tryCompleteJoin();
    return answer;
  }

  private rejoin(member: Member, req: JoinRequestInfo): Promise<JoinAnswer> {
    const changed = !sameProtocols(member.protocols, req.protocols);
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    this.touch(member);
    switch (this.state) {
      case 'PreparingRebalance': {
        const answer = this.awaitJoin(member);
        this.tryCompleteJoin();
        return answer;
      }
      case 'CompletingRebalance':
      case 'Stable':
        if (!changed && (this.state === 'CompletingRebalance' || member.memberId !== this.leaderId)) {
          // Nothing changed: the member just gets the current generation again.
          return Promise.resolve(this.joinAnswerFor(member));
        }
        {
          const answer = this.awaitJoin(member);
          this.prepareRebalance();
          this.tryCompleteJoin();
          return answer;
        }
      default:
        return Promise.resolve(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    }
  }

  private awaitJoin(member: Member): Promise<JoinAnswer> {
    // A member re-sending JoinGroup replaces its earlier (still unanswered) request.
    member.awaitingJoin?.(this.joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
    return new Promise((resolve) => {
      member.awaitingJoin = resolve;
    });
  }

  private prepareRebalance(): void {
    if (this.state === 'PreparingRebalance') return;
    if (this.state === 'CompletingRebalance') {
      for (const m of this.members.values()) {
        m.awaitingSync?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
        m.awaitingSync = null;
      }
    }
    this.state = 'PreparingRebalance';
    this.armRebalanceTimer(() => this.completeJoin());
  }

  private armRebalanceTimer(onExpiry: () => void): void {
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    let timeout = 0;
    for (const m of this.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs > 0 ? m.rebalanceTimeoutMs : m.sessionTimeoutMs);
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = null;
      onExpiry();
    }, timeout);
    this.rebalanceTimer.unref();
  }

  private clearRebalanceTimer(): void {
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = null;
  }

  private tryCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance' || this.pending.size > 0) return;
    for (const m of this.members.values()) if (!m.awaitingJoin) return;
    this.completeJoin();
  }

  /** Ends the join phase: drops members that did not rejoin, bumps the generation and answers every joiner. */
  private completeJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    this.clearRebalanceTimer();
    for (const m of [...this.members.values()]) if (!m.awaitingJoin) this.dropMember(m);
    this.generationId += 1;
    if (this.members.size === 0) {
      this.state = 'Empty';
      this.protocolName = null;
      this.leaderId = null;
      return;
    }
    this.protocolName = this.electProtocol();
    if (this.leaderId === null || !this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value!;
    this.state = 'CompletingRebalance';
    for (const m of this.members.values()) {
      m.assignment = EMPTY;
      const reply = m.awaitingJoin!;
      m.awaitingJoin = null;
      this.touch(m);
      reply(this.joinAnswerFor(m));
    }
    const generation = this.generationId;
    this.armRebalanceTimer(() => this.expireSync(generation));
  }

  /** The protocol supported by all members that most members list first among those. */
  private electProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(choice, votes.get(choice)! + 1);
    }
    return [...votes].sort((a, b) => b[1] - a[1])[0]![0];
  }

  private joinAnswerFor(member: Member): JoinAnswer {
    const isLeader = member.memberId === this.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generationId,
      protocolName: this.protocolName ?? '',
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.metadataFor(this.protocolName ?? ''),
          }))
        : [],
    };
  }

  private joinError(errorCode: number, memberId: string): JoinAnswer {
    return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
  }

  // ------------------------------------------------------------------------------------------ syncing

  sync(memberId: string, generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }>): Promise<SyncAnswer> {
    const member = this.members.get(memberId);
    if (!member) return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (generationId !== this.generationId) return Promise.resolve({ errorCode: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY });
    this.touch(member);
    switch (this.state) {
      case 'PreparingRebalance':
        return Promise.resolve({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      case 'Stable':
        return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
      case 'CompletingRebalance': {
        const answer = new Promise<SyncAnswer>((resolve) => {
          member.awaitingSync?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
          member.awaitingSync = resolve;
        });
        if (memberId === this.leaderId) {
          const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
          for (const m of this.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY;
          this.state = 'Stable';
          this.clearRebalanceTimer();
          for (const m of this.members.values()) {
            m.awaitingSync?.({ errorCode: ErrorCode.NONE, assignment: m.assignment });
            m.awaitingSync = null;
          }
        }
        return answer;
      }
      default:
        return Promise.resolve({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    }
  }

  /** Members that never sent SyncGroup within the rebalance timeout are removed and the group rebalances. */
  private expireSync(generation: number): void {
    if (this.state !== 'CompletingRebalance' || this.generationId !== generation) return;
    for (const m of [...this.members.values()]) if (!m.awaitingSync) this.dropMember(m);
    this.prepareRebalance();
    this.tryCompleteJoin();
  }

  // ------------------------------------------------------------------------------------------ liveness

  heartbeat(memberId: string, generationId: number): number {
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(member);
    switch (this.state) {
      case 'Stable':
      case 'CompletingRebalance':
        return ErrorCode.NONE;
      case 'PreparingRebalance':
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        return ErrorCode.UNKNOWN_MEMBER_ID;
    }
  }

  leave(memberId: string): number {
    const pendingTimer = this.pending.get(memberId);
    if (pendingTimer) {
      clearTimeout(pendingTimer);
      this.pending.delete(memberId);
      this.tryCompleteJoin();
      return ErrorCode.NONE;
    }
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(member);
    return ErrorCode.NONE;
  }

  /** (Re)starts the member's session timer; expiry removes it from the group. */
  touch(member: Member): void {
    if (member.sessionTimer) clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => this.expireSession(member), member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  private expireSession(member: Member): void {
    if (this.members.get(member.memberId) !== member) return;
    // A member parked in JoinGroup is governed by the rebalance timeout, not its session.
    if (member.awaitingJoin) return;
    this.removeMember(member);
  }

  private removeMember(member: Member): void {
    this.dropMember(member);
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.prepareRebalance();
    this.tryCompleteJoin();
  }

  private dropMember(member: Member): void {
    if (member.sessionTimer) clearTimeout(member.sessionTimer);
    member.sessionTimer = null;
    member.awaitingJoin?.(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingJoin = null;
    member.awaitingSync?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    member.awaitingSync = null;
    this.members.delete(member.memberId);
    if (this.leaderId === member.memberId) this.leaderId = null;
  }

  /** Validates an OffsetCommit against membership and generation (Kafka validateOffsetCommit). */
  validateCommit(memberId: string, generationId: number): number {
    if (generationId < 0 && memberId === '' && this.state === 'Empty') return ErrorCode.NONE;
    const member = this.members.get(memberId);
    if (!member) return generationId < 0 && this.members.size === 0 ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    this.touch(member);
    return ErrorCode.NONE;
  }

  /** Stops every timer and fails parked requests (broker shutdown). */
  shutdown(): void {
    this.clearRebalanceTimer();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const m of [...this.members.values()]) {
      if (m.sessionTimer) clearTimeout(m.sessionTimer);
      m.awaitingJoin?.(this.joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, m.memberId));
      m.awaitingSync?.({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: EMPTY });
    }
  }
}
