package io.respkv.server;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * The TLS side of a running server: the current {@link TlsConfig} and the context new connections
 * on the TLS port handshake with. As Redis, CONFIG SET of a {@code tls-*} file or option builds a
 * new context: connections accepted afterwards use it, open ones keep theirs.
 */
final class ServerTls {

    private static final Logger LOG = Logger.getLogger(ServerTls.class.getName());

    private volatile TlsConfig config;
    private volatile SslContext context;

    /** @throws SSLException if the files cannot be read or do not match */
    ServerTls(TlsConfig config) throws SSLException {
        this.config = config;
        this.context = config.serverContext();
    }

    /** A handler for a new connection: the first in its pipeline. */
    SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    TlsConfig config() {
        return config;
    }

    /** Which implementation the current context uses ("OPENSSL" or "JDK"). */
    String providerName() {
        return context instanceof io.netty.handler.ssl.JdkSslContext ? "JDK" : "OPENSSL";
    }

    /**
     * Applies a changed configuration: the new context serves connections accepted from now on.
     * The value is kept even if the context cannot be built (e.g. CONFIG SET tls-cert-file before
     * the matching tls-key-file), and the old context stays in use until one can.
     */
    private synchronized void change(UnaryOperator<TlsConfig> update) {
        try {
            TlsConfig next = update.apply(config);
            config = next;
            context = next.serverContext();
        } catch (SSLException | RuntimeException e) {
            LOG.log(Level.WARNING, "TLS configuration not applied, the previous one stays in use: " + e.getMessage());
        }
    }

    /** Registers the {@code tls-*} parameters respkv applies with CONFIG GET / SET. */
    void register(ServerSettings settings) {
        settings.live("tls-cert-file", path(c -> c.certFile(), (c, p) -> new TlsConfig(p, c.keyFile(), c.keyPassword(),
                c.caCertFile(), c.authClients(), c.protocols(), c.ciphers(), c.provider())));
        settings.live("tls-key-file", path(c -> c.keyFile(), (c, p) -> new TlsConfig(c.certFile(), p, c.keyPassword(),
                c.caCertFile(), c.authClients(), c.protocols(), c.ciphers(), c.provider())));
        settings.live("tls-ca-cert-file", path(c -> c.caCertFile(), (c, p) -> new TlsConfig(c.certFile(), c.keyFile(),
                c.keyPassword(), p, c.authClients(), c.protocols(), c.ciphers(), c.provider())));
        settings.live("tls-key-file-pass", parameter(c -> c.keyPassword() == null ? "" : c.keyPassword(), v -> { },
                v -> c -> c.toBuilder().keyPassword(v).build()));
        settings.live("tls-auth-clients", parameter(c -> c.authClients().redisName(), TlsConfig.AuthClients::parse,
                v -> c -> c.toBuilder().authClients(TlsConfig.AuthClients.parse(v)).build()));
        settings.live("tls-protocols", parameter(c -> String.join(" ", c.protocols()), v -> { },
                v -> c -> c.toBuilder().protocols(TlsConfig.splitList(v).toArray(String[]::new)).build()));
        settings.live("tls-ciphers", parameter(c -> String.join(":", c.ciphers()), v -> { },
                v -> c -> c.toBuilder().ciphers(TlsConfig.splitList(v).toArray(String[]::new)).build()));
    }

    /**
     * Without a TLS port the {@code tls-*} parameters are only stored, as Redis's are until TLS
     * is configured; {@code tls-auth-clients} still refuses values Redis refuses.
     */
    static void registerWithoutTls(ServerSettings settings) {
        String[] value = {settings.get("tls-auth-clients")};
        settings.live("tls-auth-clients", new ServerSettings.LiveParameter() {
            @Override
            public String get() {
                return value[0];
            }

            @Override
            public void check(String v) {
                TlsConfig.AuthClients.parse(v);
            }

            @Override
            public void set(String v) {
                value[0] = TlsConfig.AuthClients.parse(v).redisName();
            }
        });
    }

    private interface With {
        TlsConfig apply(TlsConfig c, Path p);
    }

    private ServerSettings.LiveParameter path(Function<TlsConfig, Path> get, With with) {
        return parameter(c -> get.apply(c) == null ? "" : get.apply(c).toString(), v -> { },
                v -> c -> with.apply(c, v.isEmpty() ? null : Path.of(v)));
    }

    private ServerSettings.LiveParameter parameter(Function<TlsConfig, String> get,
                                                   java.util.function.Consumer<String> check,
                                                   Function<String, UnaryOperator<TlsConfig>> update) {
        return new ServerSettings.LiveParameter() {
            @Override
            public String get() {
                return get.apply(config);
            }

            @Override
            public void check(String value) {
                check.accept(value);
            }

            @Override
            public void set(String value) {
                change(update.apply(value));
            }
        };
    }
}
