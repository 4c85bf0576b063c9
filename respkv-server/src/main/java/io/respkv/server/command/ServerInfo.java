package io.respkv.server.command;

/** Version facts respkv reports. */
public final class ServerInfo {

    private ServerInfo() {
    }

    /**
     * The Redis version whose behaviour respkv reproduces, reported by HELLO and INFO
     * ({@code redis_version}) because clients choose features by it.
     */
    public static final String REDIS_VERSION = "7.0.15";

    /** respkv's own version (INFO {@code respkv_version}). */
    public static final String RESPKV_VERSION = "0.1.0";
}
