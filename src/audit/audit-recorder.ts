import { hostname } from 'node:os';
import type { Principal } from '../capabilities/principal';
import { CapabilitiesError } from '../errors';
import type { AuditAction, AuditLog } from './audit-log';

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
 * passed on). An entry that cannot be written is reported to `onLost`, never turned
 * into a failure of a change that was made.
 *
 * @example
 * await audit.record('ada@example.com', 'add', 'bob@example.com', 'add write', () => store.update(edit), () => 'added write');
 */
export class AuditRecorder {
  constructor(
    readonly log: AuditLog,
    private readonly instance: string = defaultInstanceName(),
    private readonly onLost: (message: string) => void = (message) => process.emitWarning(message),
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `work` and records it: `detail(result)` when it succeeds, else `requested`
   * (what was asked for) and the reason it was refused.
   */
  async record<T>(
    actor: AuditActor,
    action: AuditAction,
    target: string,
    requested: string,
    work: () => Promise<T>,
    detail: (result: T) => string,
  ): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.write(actorName(actor), action, target, `${requested}: refused, ${reasonOf(error)}`, 'refused');
      throw error;
    }
    await this.write(actorName(actor), action, target, detail(result), 'ok');
    return result;
  }

  private async write(actor: string, action: AuditAction, target: string, detail: string, outcome: 'ok' | 'refused'): Promise<void> {
    const entry = { at: new Date(this.now()).toISOString(), actor, action, target, detail, outcome, instance: this.instance };
    try {
      await this.log.append(entry);
    } catch (error) {
      this.onLost(`an audit entry could not be written (${action} ${target} by ${actor}, ${outcome}): ${reasonOf(error)}`);
    }
  }
}

// Only the module's own errors say why; anything else may hold a path or a secret.
function reasonOf(error: unknown): string {
  if (error instanceof CapabilitiesError) return `${error.code}: ${error.message}`;
  return 'the change failed';
}
