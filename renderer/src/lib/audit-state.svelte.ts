/**
 * What the audit screen remembers while the person is elsewhere: the filter form, the list's
 * snapshot and scroll position, the open tab and the time-travel question. Module-level, so
 * opening an account from the list and pressing Back finds everything as it was; the filter
 * form is also kept in sessionStorage, so a reload keeps it too (the rest is cheap to redo).
 */
import type { BalancesAsOf } from '#shared/audit';
import type { LedgerError } from '#shared/errors';
import { emptyFilterForm, parseStoredForm, type FilterForm } from './audit-filter';
import { AuditList } from './audit-list.svelte';

const FILTER_STORAGE_KEY = 'event-ledger-audit-filters';

export type AuditTab = 'log' | 'balances';

function readStoredForm(): FilterForm {
  try {
    return parseStoredForm(window.sessionStorage.getItem(FILTER_STORAGE_KEY));
  } catch {
    // Storage can be unavailable (disabled, or a sandboxed page): start with no filters.
    return emptyFilterForm();
  }
}

export type TimeTravelQuestion = {
  mode: 'position' | 'moment';
  /** Typed text: a whole number. */
  position: string;
  /** `<input type="datetime-local">` value, local time. */
  moment: string;
};

class AuditState {
  /** The filter form exactly as typed. */
  form = $state<FilterForm>(readStoredForm());
  tab = $state<AuditTab>('log');
  readonly list = new AuditList();
  /** The list's scroll offset when the screen was left (not reactive: read once on return). */
  scrollTop = 0;
  /** The row that had keyboard focus, by index. */
  activeRow = 0;
  question = $state<TimeTravelQuestion>({ mode: 'position', position: '', moment: '' });
  /** The last answer, with the question it answers (the moment as asked, when asked by moment). */
  answer = $state.raw<
    | {
        readonly balances: BalancesAsOf;
        readonly askedAt?: string;
        /** The position as asked (the engine answers a position inside a command with the command's end). */
        readonly askedPosition?: number;
      }
    | undefined
  >();
  answerFailure = $state.raw<LedgerError | undefined>();

  /** Writes the form to sessionStorage (called whenever it changes). */
  saveForm(): void {
    try {
      window.sessionStorage.setItem(FILTER_STORAGE_KEY, JSON.stringify(this.form));
    } catch {
      // Not fatal: the filters still survive switching screens through this module.
    }
  }

  clearForm(): void {
    this.form = emptyFilterForm();
  }
}

export const auditState = new AuditState();
