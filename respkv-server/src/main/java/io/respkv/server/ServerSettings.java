package io.respkv.server;

/**
 * Settings that CONFIG SET may change while the server runs. Reads are lock-free (volatile).
 */
public final class ServerSettings {

    private volatile String requirePass;

    ServerSettings(ServerConfig config) {
        this.requirePass = config.requirePass();
    }

    /** The default user's password, or null if none is required. */
    public String requirePass() {
        return requirePass;
    }

    /** Sets the default user's password; null or empty removes it. */
    public void requirePass(String password) {
        this.requirePass = password == null || password.isEmpty() ? null : password;
    }
}
