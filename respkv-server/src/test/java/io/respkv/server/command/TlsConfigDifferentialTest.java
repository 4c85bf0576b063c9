package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.RespServer;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.DifferentialTestBase;
import io.respkv.server.difftest.ProtocolTest;

/**
 * CONFIG GET of the {@code tls-*} parameters on a server without TLS, against a real Redis
 * 7.0.15 (built with TLS) with its defaults: names, values and order as Redis replies them.
 */
class TlsConfigDifferentialTest extends DifferentialTestBase {

    private RespServer server;

    @Override
    protected void startRespkv() {
        server = RespServer.builder().port(0).start().join();
    }

    @Override
    protected void stopRespkv() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected int respkvPort() {
        return server.activePort();
    }

    @ProtocolTest
    void tlsDefaults(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            for (String name : new String[] {"tls-port", "tls-cert-file", "tls-key-file", "tls-key-file-pass",
                    "tls-ca-cert-file", "tls-ca-cert-dir", "tls-auth-clients", "tls-protocols", "tls-ciphers",
                    "tls-ciphersuites", "tls-prefer-server-ciphers", "tls-session-caching", "tls-session-cache-size",
                    "tls-session-cache-timeout", "tls-replication", "tls-cluster", "TLS-PORT"}) {
                d.check("CONFIG", "GET", name);
            }
            d.checkSorted("CONFIG", "GET", "tls-*");
            d.check("CONFIG", "SET", "tls-auth-clients", "maybe");
            d.check("CONFIG", "SET", "tls-auth-clients", "OPTIONAL");
            d.check("CONFIG", "GET", "tls-auth-clients");
            d.check("CONFIG", "SET", "tls-auth-clients", "yes");
        }
    }
}
