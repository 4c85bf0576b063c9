package io.respkv.api;

/** The work of one transaction, for {@link KeyspaceEngine#transact}. May run more than once. */
@FunctionalInterface
public interface TransactionBody<T> {
    T run(Transaction txn);
}
