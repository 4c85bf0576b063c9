package io.respkv.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The standalone server's flags (security: aclfile, protected mode, the connection limits and TLS; engine options) and JVM defaults. */
class MainOptionsTest {

    @Test
    void nettyLeakDetectionIsOffUnlessALevelIsAskedFor() {
        String saved = System.getProperty(Main.LEAK_DETECTION_PROPERTY);
        try {
            System.clearProperty(Main.LEAK_DETECTION_PROPERTY);
            Main.leakDetectionOffUnlessAsked();
            assertEquals("disabled", System.getProperty(Main.LEAK_DETECTION_PROPERTY));
            System.setProperty(Main.LEAK_DETECTION_PROPERTY, "paranoid");
            Main.leakDetectionOffUnlessAsked();
            assertEquals("paranoid", System.getProperty(Main.LEAK_DETECTION_PROPERTY));
        } finally {
            if (saved == null) {
                System.clearProperty(Main.LEAK_DETECTION_PROPERTY);
            } else {
                System.setProperty(Main.LEAK_DETECTION_PROPERTY, saved);
            }
        }
    }

    @Test
    void securityFlags() {
        Main.Options o = Main.Options.parse(new String[] {"--aclfile", "/etc/respkv/users.acl", "--protected-mode", "no",
                "--maxclients", "50", "--timeout", "300", "--client-query-buffer-limit", "2097152"});
        assertEquals("/etc/respkv/users.acl", o.aclFile);
        assertFalse(o.protectedMode);
        assertEquals(50, o.maxClients);
        assertEquals(300, o.timeout);
        assertEquals(2097152, o.queryBufferLimit);
    }

    @Test
    void engineOptionsPassToTheProvider() {
        Main.Options o = Main.Options.parse(new String[] {"--dir", "/var/lib/respkv", "--engine-option",
                "write-buffer-size=8mb", "--engine-option", "block-cache-size=1gb=x"});
        assertEquals(java.util.Map.of("dir", "/var/lib/respkv", "write-buffer-size", "8mb", "block-cache-size", "1gb=x"),
                o.engineOptions);
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--engine-option", "8mb"}));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--engine-option", "=8mb"}));
    }

    @Test
    void defaultsAreRedis() {
        Main.Options o = Main.Options.parse(new String[0]);
        assertEquals(null, o.aclFile);
        assertTrue(o.protectedMode);
        assertEquals(10_000, o.maxClients);
        assertEquals(0, o.timeout);
        assertEquals(1L << 30, o.queryBufferLimit);
        assertEquals(io.respkv.server.NetTransport.AUTO, o.transport);
    }

    @Test
    void transportFlag() {
        assertEquals(io.respkv.server.NetTransport.IO_URING, Main.Options.parse(new String[] {"--transport", "io_uring"}).transport);
        assertEquals(io.respkv.server.NetTransport.NIO, Main.Options.parse(new String[] {"--transport", "nio"}).transport);
        assertEquals("--transport needs auto, io_uring, epoll or nio, got 'kqueue'", assertThrows(IllegalArgumentException.class,
                () -> Main.Options.parse(new String[] {"--transport", "kqueue"})).getMessage());
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--maxclients", "0"}));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--timeout", "-1"}));
        assertThrows(IllegalArgumentException.class,
                () -> Main.Options.parse(new String[] {"--client-query-buffer-limit", "1000"}));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--protected-mode", "maybe"}));
    }

    @Test
    void tlsFlags() {
        Main.Options o = Main.Options.parse(new String[] {"--port", "0", "--tls-port", "6380",
                "--tls-cert-file", "/etc/respkv/server.crt", "--tls-key-file", "/etc/respkv/server.key",
                "--tls-key-file-pass", "secret", "--tls-ca-cert-file", "/etc/respkv/ca.crt",
                "--tls-auth-clients", "optional", "--tls-protocols", "TLSv1.2 TLSv1.3", "--tls-ciphers",
                "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"});
        assertEquals(0, o.port);
        assertEquals(6380, o.tlsPort);
        io.respkv.server.TlsConfig tls = o.tls.config();
        assertEquals(java.nio.file.Path.of("/etc/respkv/server.crt"), tls.certFile());
        assertEquals(java.nio.file.Path.of("/etc/respkv/server.key"), tls.keyFile());
        assertEquals("secret", tls.keyPassword());
        assertEquals(java.nio.file.Path.of("/etc/respkv/ca.crt"), tls.caCertFile());
        assertEquals(io.respkv.server.TlsConfig.AuthClients.OPTIONAL, tls.authClients());
        assertEquals(java.util.List.of("TLSv1.2", "TLSv1.3"), tls.protocols());
        assertEquals(java.util.List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"), tls.ciphers());
    }

    @Test
    void tlsDefaultsAreRedis() {
        Main.Options o = Main.Options.parse(new String[0]);
        assertEquals(0, o.tlsPort);
        assertEquals(io.respkv.server.TlsConfig.AuthClients.YES, o.tls.config().authClients());
    }

    @Test
    void badTlsFlagsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Main.Options.parse(new String[] {"--tls-auth-clients", "maybe"}));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--tls-port", "65536"}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(
                new String[] {"--tls-port", "6380", "--tls-cert-file", "/etc/respkv/server.crt"}));
        assertEquals("--tls-cert-file and --tls-key-file go together", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--tls-nope", "x"}));
    }
}
