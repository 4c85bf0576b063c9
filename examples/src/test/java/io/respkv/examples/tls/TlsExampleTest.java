package io.respkv.examples.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.server.tls.TestCertificates;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class TlsExampleTest {

    @Test
    void mutualTlsServesTheCertifiedClientAndRefusesTheOther(@TempDir Path dir) throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        TlsExample.Outcome o = TlsExample.run(certs.serverCert(), certs.serverKey(), certs.caCert(),
                certs.clientCert(), certs.clientKey());
        // netty-tcnative-boringssl-static loads on linux-x86_64
        assertEquals("OPENSSL", o.provider());
        assertEquals("hello over TLS", o.value());
        assertEquals("refused (JedisConnectionException)", o.refusedWithoutCertificate());
    }
}
