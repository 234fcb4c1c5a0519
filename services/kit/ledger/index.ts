/**
 * @module The double-entry ledger every money-moving service shares: accounts, postings that
 * sum to zero, balances locked in one order, and money on the wire as integer minor units.
 * A service opts in with `defineService({ ledger: true })`, which migrates its tables.
 */
export {
  accountOwner,
  isPlatformAccount,
  mayActForAccount,
  platformAccountProblem,
  refusePlatformAccount,
  requireAccountRightFor,
} from "./account-access";
export {
  type Account,
  type AccountBalance,
  AccountConflictError,
  type AccountType,
  createAccount,
  getAccount,
  type NewAccount,
} from "./accounts";
export {
  accountNameSchema,
  amountMaximum,
  amountSchema,
  currencySchema,
  isAmount,
  parseAmount,
} from "./amount";
export {
  AccountNotFoundError,
  BalanceOutOfRangeError,
  DuplicateReferenceError,
  ExternalAccountError,
  InsufficientFundsError,
  type PostedTransaction,
  postTransaction,
  type Queryable,
  ReferenceConflictError,
  type TransactionInput,
} from "./ledger";
export {
  assertBalanced,
  type BalanceChange,
  balanceChanges,
  type Entry,
  entriesOf,
  InvalidPostingError,
  type Posting,
  UnbalancedTransactionError,
} from "./ledger-posting";
export { ledgerProblemFor, ledgerProblems } from "./ledger-problems";
