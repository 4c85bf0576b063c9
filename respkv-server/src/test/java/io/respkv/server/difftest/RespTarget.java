package io.respkv.server.difftest;

import java.util.Objects;

/**
 * A RESP server to talk to: a name for messages ({@code "redis"}, {@code "respkv"}) and
 * where it listens.
 */
public record RespTarget(String name, String host, int port) {

    public RespTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** A server on 127.0.0.1. */
    public static RespTarget loopback(String name, int port) {
        return new RespTarget(name, "127.0.0.1", port);
    }

    @Override
    public String toString() {
        return name + "@" + host + ":" + port;
    }
}
