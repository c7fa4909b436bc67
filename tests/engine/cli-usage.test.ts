/**
 * Issue 17.2 — the refusals a person meets on day one are typed JSON in plain words, not an
 * argument parser's text: a signed amount reaches the amount rules ("no sign"), a mistyped
 * flag or command gets "did you mean …?", and `ledger help` / `ledger COMMAND --help` print
 * usage.
 */
import { describe, expect, it } from 'vitest';
import { parseArguments } from '../../electron/hosts/cli/arguments';
import { CLI_COMMANDS } from '../../electron/hosts/cli/command-table';
import { UsageError } from '../../electron/hosts/cli/output';
import { runCli } from './cli-process';
import { newLedger, ok } from './helpers';

const DEPOSIT = CLI_COMMANDS.deposit!.flags;

function refusal(args: string[], command = 'deposit', spec = DEPOSIT): string {
  try {
    parseArguments(args, command, spec);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${args.join(' ')} was accepted`);
}

describe('the argument reader', () => {
  it('takes a value starting with one dash as a value, so the amount rules judge it', () => {
    expect(parseArguments(['--account', 'a', '--amount', '-5'], 'deposit', DEPOSIT).values).toEqual({ account: 'a', amount: '-5' });
    expect(parseArguments(['--amount=-5', '--memo', '-'], 'deposit', DEPOSIT).values).toEqual({ amount: '-5', memo: '-' });
  });

  it('refuses mistakes in plain sentences', () => {
    expect(refusal(['--acount', 'a'])).toBe('Unknown flag --acount for deposit; did you mean --account?');
    expect(refusal(['--ammount', '1'])).toBe('Unknown flag --ammount for deposit; did you mean --amount?');
    expect(refusal(['--colour', 'red'])).toMatch(/^Unknown flag --colour for deposit; it takes --db, --account, --amount, /);
    expect(refusal(['-a', 'x'])).toMatch(/^Unknown flag -a for deposit: flags start with two dashes; it takes --db, /);
    expect(refusal(['-amount', '1'])).toBe('Unknown flag -amount for deposit: flags start with two dashes; did you mean --amount?');
    expect(refusal(['--amount'])).toBe('--amount needs a value');
    expect(refusal(['--amount', '--account', 'a'])).toBe('--amount needs a value');
    expect(refusal(['--amount', '1', '--amount', '2'])).toBe('--amount is given twice; give it once');
    expect(refusal(['stray'])).toBe('Unexpected argument "stray" for deposit');
    expect(refusal([], 'history', CLI_COMMANDS.history!.flags)).toBe('history needs ID: ledger history ID');
    expect(refusal(['--read-only=yes'], 'accounts', CLI_COMMANDS.accounts!.flags)).toBe('--read-only takes no value');
    expect(refusal(['--x\u202Eevil'])).toContain('\\u202e');
  });
});

describe('ledger day one', () => {
  it('answers typed JSON on stdout, with a usage line on stderr for mistakes in the command line', async () => {
    const { path: db, ledger, api } = newLedger();
    ok(api.openAccount({ account: 'a', owner: 'A', currency: 'EUR' }));
    ledger.close();
    const [signed, typo, command, noCommand, missingValue, badLimit, badFormat] = await Promise.all([
      runCli(['--db', db, 'deposit', '--account', 'a', '--amount', '-5']),
      runCli(['--db', db, 'deposit', '--acount', 'a', '--amount', '5']),
      runCli(['--db', db, 'depost', '--account', 'a', '--amount', '5']),
      runCli(['--db', db]),
      runCli(['--db', db, 'withdraw', '--account', 'a', '--amount']),
      runCli(['--db', db, 'events', '--limit', 'ten']),
      runCli(['--db', db, 'accounts', '--format', 'xml']),
    ]);
    // A signed amount is a value the amount rules refuse, exactly as `--amount=-5` or an apply line.
    expect(signed.code).toBe(1);
    expect(signed.lines).toEqual([{ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/no sign/) } }]);
    const usage: Array<[typeof typo, string]> = [
      [typo, 'Unknown flag --acount for deposit; did you mean --account?'],
      [command, 'Unknown command "depost"; did you mean deposit? Run `ledger help` for the list of commands'],
      [noCommand, 'No command given; run `ledger help` for the list of commands'],
      [missingValue, '--amount needs a value'],
      [badLimit, '--limit needs a whole number, not "ten"'],
      [badFormat, '--format is json or table, not "xml"'],
    ];
    for (const [run, message] of usage) {
      expect(run.code, run.stdout).toBe(2);
      expect(run.lines).toEqual([{ ok: false, error: { code: 'VALIDATION', message } }]);
      expect(run.stdout).not.toMatch(/ERR_PARSE_ARGS|TypeError|at .*\.js/);
    }
    expect(typo.stderr).toMatch(/^Usage: ledger \[--db FILE\] deposit --account ID --amount AMOUNT/);
  });

  it('`ledger help` lists every command; `ledger COMMAND --help` and `ledger help COMMAND` print its usage', async () => {
    const [help, depositHelp, helpDeposit, helpUnknown] = await Promise.all([
      runCli(['help']),
      runCli(['deposit', '--help']),
      runCli(['help', 'deposit']),
      runCli(['help', 'teleport']),
    ]);
    expect(help.code).toBe(0);
    for (const name of Object.keys(CLI_COMMANDS)) expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(help.stdout).toMatch(/Exit codes: 0 success/);
    expect(depositHelp.code).toBe(0);
    expect(depositHelp.stdout).toMatch(/^Usage: ledger \[--db FILE\] deposit --account ID --amount AMOUNT \[--memo TEXT\]/);
    expect(depositHelp.stdout).toMatch(/no sign/);
    expect(helpDeposit.stdout).toBe(depositHelp.stdout);
    expect(helpUnknown.code).toBe(2);
    expect(helpUnknown.lines[0]).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});
