package io.respkv.api;

/** The RESP version a connection speaks: RESP2 by default, RESP3 after {@code HELLO 3}. */
public enum ProtocolVersion {
    RESP2,
    RESP3
}
