/**
 * A command line the CLI cannot act on (unknown option, missing argument, a refusal the user can fix
 * with a flag). `main` prints it with the command's usage hint and exits 2; failures exit 1.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
