package io.respkv.server;

import static java.util.Objects.requireNonNull;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * TLS settings, as Redis's {@code tls-*} parameters, for a listening side (respkv's TLS port, the
 * proxy's TLS port: {@link #serverContext()}) or a connecting side (the proxy's connections to TLS
 * backends: {@link #clientContext()}). Immutable; change one with {@link #toBuilder()}.
 *
 * <p>Files are PEM: a certificate chain, a PKCS#8 private key (encrypted if a
 * {@linkplain Builder#keyPassword password} is given, Redis's {@code tls-key-file-pass}), and CA
 * certificates. On a listening side the CA verifies client certificates
 * ({@code tls-auth-clients}); on a connecting side it verifies the server, and the certificate and
 * key, if given, are the client certificate.
 *
 * @param certFile    {@code tls-cert-file}: the certificate chain (null on a connecting side without a client certificate)
 * @param keyFile     {@code tls-key-file}: its private key
 * @param keyPassword {@code tls-key-file-pass}: the key's password, or null
 * @param caCertFile  {@code tls-ca-cert-file}: the CA certificates that verify the peer, or null
 *                    (a connecting side then trusts the JDK's default CAs)
 * @param authClients {@code tls-auth-clients}: whether a listening side asks for client certificates
 * @param protocols   {@code tls-protocols}: the enabled protocols (e.g. TLSv1.2, TLSv1.3); empty for the provider's defaults
 * @param ciphers     {@code tls-ciphers} and {@code tls-ciphersuites}: the enabled cipher suites; empty for the provider's defaults
 * @param provider    the TLS implementation
 */
public record TlsConfig(Path certFile, Path keyFile, String keyPassword, Path caCertFile, AuthClients authClients,
                        List<String> protocols, List<String> ciphers, Provider provider) {

    /** Redis's {@code tls-auth-clients}. */
    public enum AuthClients {
        /** Clients must present a certificate the CA signed (Redis's default). */
        YES,
        /** No client certificate is asked for. */
        NO,
        /** A client certificate is asked for and verified if given, but not required. */
        OPTIONAL;

        /** The value as CONFIG GET shows it. */
        public String redisName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code yes}, {@code no} or {@code optional} (any case). */
        public static AuthClients parse(String value) {
            for (AuthClients a : values()) {
                if (a.redisName().equalsIgnoreCase(value)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("argument(s) must be one of the following: no, yes, optional");
        }

        ClientAuth netty() {
            return switch (this) {
                case YES -> ClientAuth.REQUIRE;
                case NO -> ClientAuth.NONE;
                case OPTIONAL -> ClientAuth.OPTIONAL;
            };
        }
    }

    /** Which TLS implementation to use. */
    public enum Provider {
        /** OpenSSL (BoringSSL from netty-tcnative) if its native library loads, else the JDK's. */
        AUTO,
        /** OpenSSL through netty-tcnative; fails if it does not load. */
        OPENSSL,
        /** The JDK's own TLS (JSSE). */
        JDK
    }

    public TlsConfig {
        authClients = requireNonNull(authClients, "authClients");
        provider = requireNonNull(provider, "provider");
        protocols = List.copyOf(protocols);
        ciphers = List.copyOf(ciphers);
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("tls-cert-file and tls-key-file go together");
        }
    }

    /** Without the key password. */
    @Override
    public String toString() {
        return "TlsConfig[certFile=" + certFile + ", keyFile=" + keyFile + ", keyPassword="
                + (keyPassword == null ? "none" : "(set)") + ", caCertFile=" + caCertFile + ", authClients="
                + authClients + ", protocols=" + protocols + ", ciphers=" + ciphers + ", provider=" + provider + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.certFile = certFile;
        b.keyFile = keyFile;
        b.keyPassword = keyPassword;
        b.caCertFile = caCertFile;
        b.authClients = authClients;
        b.protocols = new ArrayList<>(protocols);
        b.ciphers = new ArrayList<>(ciphers);
        b.provider = provider;
        return b;
    }

    /** The provider {@link Provider#AUTO} resolves to on this machine: OPENSSL if netty-tcnative loads. */
    public SslProvider nettyProvider() {
        return switch (provider) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                OpenSsl.ensureAvailability();
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /**
     * A context for a listening side: this certificate and key, client certificates verified with
     * the CA as {@link #authClients} says.
     *
     * @throws SSLException if a file is missing or unreadable, or the key does not match
     * @throws IllegalArgumentException as Redis refuses to start: no certificate, or client
     *                                  authentication without a CA
     */
    public SslContext serverContext() throws SSLException {
        if (certFile == null) {
            throw new IllegalArgumentException("tls-cert-file and tls-key-file are needed for a TLS port");
        }
        if (authClients != AuthClients.NO && caCertFile == null) {
            // Redis's check (tls.c tlsConfigure): tls-auth-clients needs a CA to verify clients.
            throw new IllegalArgumentException("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when "
                    + "tls-cluster, tls-replication or tls-auth-clients are enabled!");
        }
        SslContextBuilder b = SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile(), keyPassword)
                .clientAuth(authClients.netty());
        if (caCertFile != null && authClients != AuthClients.NO) {
            b.trustManager(caCertFile.toFile());
        }
        return common(b).build();
    }

    /**
     * A context for a connecting side: the server's chain verified with the CA (or the JDK's
     * default CAs if none; not its host name, as Redis), and this certificate and key, if any,
     * presented as the client certificate.
     */
    public SslContext clientContext() throws SSLException {
        // As Redis's tls-cluster / tls-replication: the chain is verified, not the host name (nodes
        // are addressed by the IPs CLUSTER SLOTS gives, which certificates seldom name).
        SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm(null);
        if (caCertFile != null) {
            b.trustManager(caCertFile.toFile());
        }
        if (certFile != null) {
            b.keyManager(certFile.toFile(), keyFile.toFile(), keyPassword);
        }
        return common(b).build();
    }

    /** {@link #clientContext()} as a JDK {@link javax.net.ssl.SSLContext}, for blocking sockets. */
    public javax.net.ssl.SSLContext jdkClientContext() throws SSLException {
        SslContext c = toBuilder().provider(Provider.JDK).build().clientContext();
        return ((io.netty.handler.ssl.JdkSslContext) c).context();
    }

    private SslContextBuilder common(SslContextBuilder b) {
        b.sslProvider(nettyProvider());
        if (!protocols.isEmpty()) {
            b.protocols(protocols);
        }
        if (!ciphers.isEmpty()) {
            b.ciphers(ciphers);
        }
        return b;
    }

    /** Splits a Redis list value ({@code "TLSv1.2 TLSv1.3"}, a cipher list with ':' or spaces) into names. */
    static List<String> splitList(String value) {
        List<String> out = new ArrayList<>();
        for (String s : value.trim().split("[\\s:,]+")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Configures a {@link TlsConfig}. */
    public static final class Builder {
        private Path certFile;
        private Path keyFile;
        private String keyPassword;
        private Path caCertFile;
        private AuthClients authClients = AuthClients.YES;
        private List<String> protocols = new ArrayList<>();
        private List<String> ciphers = new ArrayList<>();
        private Provider provider = Provider.AUTO;

        private Builder() {
        }

        /** {@code tls-cert-file} and {@code tls-key-file}: a PEM certificate chain and its PEM (PKCS#8) key. */
        public Builder certificate(Path certChainPem, Path keyPem) {
            this.certFile = certChainPem;
            this.keyFile = keyPem;
            return this;
        }

        /** {@code tls-key-file-pass}: the password of an encrypted key; null for none. */
        public Builder keyPassword(String password) {
            this.keyPassword = password == null || password.isEmpty() ? null : password;
            return this;
        }

        /** {@code tls-ca-cert-file}: PEM CA certificates that verify the peer; null for none. */
        public Builder caCertFile(Path caPem) {
            this.caCertFile = caPem;
            return this;
        }

        /** {@code tls-auth-clients} (default {@link AuthClients#YES}, as Redis). */
        public Builder authClients(AuthClients auth) {
            this.authClients = requireNonNull(auth, "auth");
            return this;
        }

        /** {@code tls-protocols}, e.g. {@code "TLSv1.2", "TLSv1.3"}; none for the provider's defaults. */
        public Builder protocols(String... names) {
            this.protocols = new ArrayList<>(Arrays.asList(names));
            return this;
        }

        /** {@code tls-ciphers} / {@code tls-ciphersuites}: the enabled cipher suites; none for the provider's defaults. */
        public Builder ciphers(String... names) {
            this.ciphers = new ArrayList<>(Arrays.asList(names));
            return this;
        }

        /** The TLS implementation (default {@link Provider#AUTO}). */
        public Builder provider(Provider provider) {
            this.provider = requireNonNull(provider, "provider");
            return this;
        }

        public TlsConfig build() {
            return new TlsConfig(certFile, keyFile, keyPassword, caCertFile, authClients, protocols, ciphers, provider);
        }
    }
}
