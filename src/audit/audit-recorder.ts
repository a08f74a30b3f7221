import { hostname } from 'node:os';
import type { Principal } from '../capabilities/principal';
import { CapabilitiesError } from '../errors';
import type { AuditAction, AuditLog, AuditShelf } from './audit-log';
import { inSpan } from '../telemetry/spans';

/** Who makes a change: the principal of a request, or an operator outside any request, by name (`cli:<os user>`). */
export type AuditActor = Principal | string;

/** How the audit trail names `actor`: the principal's email (`key:<name>` for an API key), or the operator's name. */
export function actorName(actor: AuditActor): string {
  return typeof actor === 'string' ? actor : actor.email;
}

/** This process, as audit entries name it: `<host>:<pid>`. */
export function defaultInstanceName(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * Runs changes and writes one audit entry for each: `ok` with what changed once the
 * change is durable, or `refused` with the reason when it throws (the error is then
 * passed on). A refusal of a principal who is no manager (`isManager`) goes to the
 * `outsiders` shelf, so that anyone signed in cannot push the trail out by asking for
 * what they may not do. An entry that cannot be written is reported to `onLost`, never
 * turned into a failure of a change that was made.
 *
 * @example
 * await audit.record(adaSession, 'add', 'bob@example.com', 'add write', () => store.update(edit), () => 'added write');
 */
export class AuditRecorder {
  constructor(
    readonly log: AuditLog,
    private readonly instance: string = defaultInstanceName(),
    private readonly onLost: (message: string) => void = (message) => process.emitWarning(message),
    private readonly now: () => number = Date.now,
    /** Whether a principal manages others now; by default everyone counts as one (every entry on the trail). */
    private readonly isManager: (principal: Principal) => boolean = () => true,
  ) {}

  /**
   * Runs `work` and records it: `detail(result)` when it succeeds, else `requested`
   * (what was asked for) and the reason it was refused; `scope` is where the change is
   * made (null: globally).
   */
  async record<T>(
    actor: AuditActor,
    action: AuditAction,
    target: string,
    requested: string,
    work: () => Promise<T>,
    detail: (result: T) => string,
    scope: string | null = null,
  ): Promise<T> {
    // The action only: the target and the detail name accounts, which a trace must not carry.
    return inSpan('nest_capabilities.manage', { action }, () => this.recorded(actor, action, target, requested, work, detail, scope));
  }

  private async recorded<T>(
    actor: AuditActor,
    action: AuditAction,
    target: string,
    requested: string,
    work: () => Promise<T>,
    detail: (result: T) => string,
    scope: string | null,
  ): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.write(actor, action, target, scope, `${requested}: refused, ${reasonOf(error)}`, 'refused');
      throw error;
    }
    await this.write(actor, action, target, scope, detail(result), 'ok');
    return result;
  }

  private async write(actor: AuditActor, action: AuditAction, target: string, scope: string | null, detail: string, outcome: 'ok' | 'refused'): Promise<void> {
    const name = actorName(actor);
    const entry = { at: new Date(this.now()).toISOString(), actor: name, action, target, detail, outcome, scope, instance: this.instance };
    try {
      await this.log.append(entry, this.shelfOf(actor, outcome));
    } catch (error) {
      this.onLost(`an audit entry could not be written (${action} ${target} by ${name}, ${outcome}): ${reasonOf(error)}`);
    }
  }

  /** The trail for every change made and for the refusals of managers and operators; the outsiders' shelf for the rest. */
  private shelfOf(actor: AuditActor, outcome: 'ok' | 'refused'): AuditShelf {
    return outcome === 'refused' && typeof actor !== 'string' && !this.isManager(actor) ? 'outsiders' : 'trail';
  }
}

// Only the module's own errors say why; anything else may hold a path or a secret.
function reasonOf(error: unknown): string {
  if (error instanceof CapabilitiesError) return `${error.code}: ${error.message}`;
  return 'the change failed';
}
