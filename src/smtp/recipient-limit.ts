/**
 * Recipients per transaction (smtp.limits.maxRecipients), counted as smtp-server keeps them: an
 * address given again, in any case, replaces the earlier one and takes no new place. Kept here
 * rather than by smtp-server so that the refusal comes from the reply table and is counted.
 */
export class RecipientLimit {
  /** By transaction: smtp-server makes a new envelope object for each one. */
  readonly #transactions = new WeakMap<object, { readonly addresses: Set<string>; excess: number }>();

  constructor(private readonly max: number) {}

  /**
   * Takes an address the transaction is about to accept; null if it fits, else how many
   * addresses this transaction has now been refused over the limit (1 for the first).
   */
  admit(envelope: object, address: string): number | null {
    let transaction = this.#transactions.get(envelope);
    if (!transaction) {
      transaction = { addresses: new Set(), excess: 0 };
      this.#transactions.set(envelope, transaction);
    }
    const key = address.toLowerCase();
    if (transaction.addresses.size >= this.max && !transaction.addresses.has(key)) return ++transaction.excess;
    transaction.addresses.add(key);
    return null;
  }
}
