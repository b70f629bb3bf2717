/**
 * The one helper every IPC call goes through, whatever the transport (Electron ipcMain, the web
 * host's HTTP, or a test calling it directly):
 *
 *   sender check -> known channel -> request schema -> session and role -> service -> response schema
 *
 * It returns a `Result` and never throws, so a transport only has to serialise what it gets.
 * Error messages are sentences for the user; stacks stay in the main-process log.
 */
import { type z } from 'zod';
import {
  contract,
  roleMayCall,
  type ChannelName,
  type IpcError,
  type ParsedRequestOf,
  type ResponseOf,
  type Result,
  type StaffIdentitySummary,
  type ChannelAccess,
} from '../../src-shared/ipc/contract';
import { KIND_IN_A_SENTENCE, type OrganisationKind } from '../../src-shared/organisations/roles';
import { toIpcError } from '../errors';

/** Who is calling, as established by the transport before the dispatcher sees the call. */
export interface Caller {
  transport: 'electron' | 'http' | 'in-process';
  /**
   * The transport's verdict on the sender: Electron sets it when the sending frame is the main
   * frame of our window on our app:// origin; the web host when the per-run token matched on a
   * loopback connection. Untrusted calls are refused before anything else is looked at.
   */
  trusted: boolean;
  /** Where the call came from, for the log (a frame URL, a peer address). */
  origin: string;
}

/** What a service handler knows about the call it serves. */
export interface CallContext {
  /** The signed-in, unlocked staff identity; null only on channels open to `anyone`. */
  staff: StaffIdentitySummary | null;
  caller: Caller;
}

export type Handler<C extends ChannelName> = (request: ParsedRequestOf<C>, ctx: CallContext) => Promise<ResponseOf<C>>;
export type Handlers = { [C in ChannelName]: Handler<C> };

/** The session as the dispatcher needs it: who is signed in, and where to log a refusal. */
export interface SessionGate {
  current(): { status: 'signed-out' } | { status: 'locked' | 'signed-in'; identity: StaffIdentitySummary };
  /** Records a `role-refused` sign-in event; failures to record must not hide the refusal. */
  recordRoleRefused(identity: StaffIdentitySummary, channel: ChannelName): Promise<void>;
}

export interface DispatchLog {
  /** Unexpected failures, with the full error, for the main-process log only. */
  internal(channel: string, err: unknown): void;
  /** A refused call (sender, role), for the main-process log. */
  refused(channel: string, error: IpcError, caller: Caller): void;
}

export interface Dispatcher {
  dispatch(channel: string, payload: unknown, caller: Caller): Promise<Result<unknown>>;
}

export interface DispatcherOptions {
  handlers: Handlers;
  session: SessionGate;
  /** Validate every response against its schema (development and tests): a mismatch is a bug, reported as INTERNAL. */
  validateResponses: boolean;
  log?: DispatchLog;
}

const consoleLog: DispatchLog = {
  internal: (channel, err) => console.error(`[ipc] ${channel} failed:`, err),
  refused: (channel, error, caller) => console.warn(`[ipc] ${channel} refused (${error.code}) from ${caller.transport} ${caller.origin}`),
};

/** Why a signed-in person may not call a channel, in words: their role, and where it is meant for. */
function refusalSentence(access: ChannelAccess, who: StaffIdentitySummary, summary: string): string {
  const kinds: readonly OrganisationKind[] = access === 'anyone' || access === 'signed-in' ? [] : 'kinds' in access ? access.kinds : ['hospital'];
  const here = KIND_IN_A_SENTENCE[who.organisationKind];
  if (!kinds.includes(who.organisationKind)) {
    return `This is work for ${kinds.map((k) => KIND_IN_A_SENTENCE[k]).join(' or ')}'s staff, and this workstation belongs to ${here}: ${summary}`;
  }
  return `Your role (${who.role}) may not do this: ${summary}`;
}

function isChannel(name: string): name is ChannelName {
  return Object.hasOwn(contract, name);
}

function fail(code: IpcError['code'], message: string, details?: Record<string, unknown>): { ok: false; error: IpcError } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): { message: string; details: Record<string, unknown> } {
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` (${first.path.map(String).join('.')})` : '';
  return {
    message: `The request was not filled in correctly${where}: ${first?.message ?? 'unknown problem'}.`,
    details: { issues: issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) },
  };
}

/** Builds the dispatcher shared by the Electron and web transports. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const log = options.log ?? consoleLog;

  async function run<C extends ChannelName>(channel: C, payload: unknown, caller: Caller): Promise<Result<unknown>> {
    const spec = contract[channel];
    // Electron's invoke with no argument delivers undefined; treat it as the empty request.
    const parsed = spec.request.safeParse(payload === undefined ? {} : payload);
    if (!parsed.success) {
      const { message, details } = describeIssues(parsed.error.issues);
      return fail('VALIDATION', message, details);
    }

    const session = options.session.current();
    let staff: StaffIdentitySummary | null = null;
    if (spec.access !== 'anyone') {
      if (session.status === 'signed-out') {
        const refused = fail('NOT_SIGNED_IN', 'Sign in first.');
        log.refused(channel, refused.error, caller);
        return refused;
      }
      if (session.status === 'locked') {
        const refused = fail('SESSION_LOCKED', 'The workstation is locked. Enter your PIN to continue.');
        log.refused(channel, refused.error, caller);
        return refused;
      }
      if (!roleMayCall(spec.access, session.identity.role, session.identity.organisationKind)) {
        const refused = fail('ROLE_REFUSED', refusalSentence(spec.access, session.identity, spec.summary), { channel });
        log.refused(channel, refused.error, caller);
        try {
          await options.session.recordRoleRefused(session.identity, channel);
        } catch (err) {
          log.internal(channel, err);
        }
        return refused;
      }
      staff = session.identity;
    } else if (session.status === 'signed-in') {
      staff = session.identity;
    }

    const handler = options.handlers[channel] as Handler<C>;
    let value: ResponseOf<C>;
    try {
      value = await handler(parsed.data as ParsedRequestOf<C>, { staff, caller });
    } catch (err) {
      const error = toIpcError(err);
      if (error.code === 'INTERNAL') log.internal(channel, err);
      return { ok: false, error };
    }

    if (options.validateResponses) {
      const checked = spec.response.safeParse(value);
      if (!checked.success) {
        log.internal(channel, new Error(`response does not match the contract: ${JSON.stringify(checked.error.issues)}`));
        return fail('INTERNAL', 'The workstation produced an answer it should not have. Try again; if it keeps happening, call IT support.');
      }
    }
    return { ok: true, value };
  }

  return {
    async dispatch(channel, payload, caller) {
      try {
        if (!caller.trusted) {
          const refused = fail('FORBIDDEN_SENDER', 'This request did not come from the CareLedger window and was refused.');
          log.refused(channel, refused.error, caller);
          return refused;
        }
        if (typeof channel !== 'string' || !isChannel(channel)) {
          return fail('UNKNOWN_CHANNEL', 'The workstation does not know this request. Update or restart the app.', { channel: String(channel) });
        }
        return await run(channel, payload, caller);
      } catch (err) {
        // Nothing above should throw; if it does, the caller still gets a Result, not a stack.
        log.internal(String(channel), err);
        return fail('INTERNAL', 'Something went wrong inside the workstation. Try again; if it keeps happening, call IT support.');
      }
    },
  };
}
