package io.respkv.examples.tls;

import io.respkv.server.RespServer;
import io.respkv.server.TlsConfig;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A TLS-only respkv server with mutual TLS, as Redis's {@code --port 0 --tls-port ...
 * --tls-auth-clients yes}: Jedis connects with a client certificate the CA signed and runs SET and
 * GET; a client without a certificate is refused during the handshake.
 *
 * <pre>
 * usage: TlsExample SERVER_CERT SERVER_KEY CA_CERT CLIENT_CERT CLIENT_KEY   (PEM files; keys PKCS#8)
 *
 * # certificates for a try, with openssl:
 * openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -subj /CN=ca -days 30
 * openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj /CN=localhost
 * openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -out server.crt -days 30 -extfile &lt;(printf "subjectAltName=DNS:localhost,IP:127.0.0.1")
 * openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key -out client.csr -subj /CN=client
 * openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -out client.crt -days 30
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.respkv.examples.tls.TlsExample \
 *     -Dexec.args="server.crt server.key ca.crt client.crt client.key"
 * </pre>
 */
public final class TlsExample {

    /**
     * What happened: the TLS implementation the server used, the value read back over mutual TLS,
     * and the error a client without a certificate got.
     */
    public record Outcome(String provider, String value, String refusedWithoutCertificate) {
    }

    private TlsExample() {
    }

    public static void main(String[] args) throws SSLException {
        if (args.length != 5) {
            System.err.println("usage: TlsExample SERVER_CERT SERVER_KEY CA_CERT CLIENT_CERT CLIENT_KEY");
            System.exit(2);
        }
        Outcome o = run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Path.of(args[4]));
        System.out.println("TLS provider: " + o.provider());
        System.out.println("GET greeting over mutual TLS: " + o.value());
        System.out.println("client without a certificate: " + o.refusedWithoutCertificate());
    }

    /** Starts the server on a free TLS port (and no plain port), talks to it, stops it. */
    public static Outcome run(Path serverCert, Path serverKey, Path caCert, Path clientCert, Path clientKey)
            throws SSLException {
        TlsConfig tls = TlsConfig.builder()
                .certificate(serverCert, serverKey)
                .caCertFile(caCert)
                .authClients(TlsConfig.AuthClients.YES) // Redis's default: client certificates required
                .build();
        try (RespServer server = RespServer.builder().port(RespServer.DISABLED).tlsPort(0, tls).start().join()) {
            HostAndPort address = new HostAndPort("localhost", server.activeTlsPort());
            // the client side of the same PEM files: trust the CA, present the client certificate
            SSLContext withCertificate = TlsConfig.builder().caCertFile(caCert).certificate(clientCert, clientKey)
                    .build().jdkClientContext();
            String value;
            try (Jedis jedis = new Jedis(address, DefaultJedisClientConfig.builder().ssl(true)
                    .sslSocketFactory(withCertificate.getSocketFactory()).build())) {
                jedis.set("greeting", "hello over TLS");
                value = jedis.get("greeting");
            }
            SSLContext withoutCertificate = TlsConfig.builder().caCertFile(caCert).build().jdkClientContext();
            String refused = "not refused";
            try (Jedis anonymous = new Jedis(address, DefaultJedisClientConfig.builder().ssl(true)
                    .sslSocketFactory(withoutCertificate.getSocketFactory()).build())) {
                anonymous.ping();
            } catch (JedisConnectionException e) {
                refused = "refused (" + e.getClass().getSimpleName() + ")";
            }
            return new Outcome(server.tlsProvider(), value, refused);
        }
    }
}
