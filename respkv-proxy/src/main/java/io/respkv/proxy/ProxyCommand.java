package io.respkv.proxy;

/** How the proxy treats a command (beyond routing by its keys, the default). */
enum ProxyCommand {
    /** Routed to the master (or replica) of its keys' slot; keyless ones to any master. */
    ROUTE,
    // ---- answered by the proxy itself
    PING, ECHO, HELLO, AUTH, SELECT, CLIENT, QUIT, READONLY, READWRITE,
    /** ACL: the proxy's own users ({@link ProxyUsers}), answered by the proxy. */
    ACL,
    // ---- multi-key commands split per slot and merged
    MGET, MSET, SUM_KEYS,
    // ---- keyless commands fanned out over every master
    DBSIZE, KEYS, FLUSH, RANDOMKEY, SCAN,
    // ---- transactions, pinned to one backend connection
    MULTI, EXEC, DISCARD, WATCH, UNWATCH,
    // ---- pub/sub: the client gets a backend connection of its own
    SUBSCRIBE,
    /** UNSUBSCRIBE and friends before any SUBSCRIBE: answered as Redis does for a client with no subscriptions. */
    UNSUBSCRIBE,
    /** Makes no sense through a proxy: answered with an error. */
    UNSUPPORTED
}
