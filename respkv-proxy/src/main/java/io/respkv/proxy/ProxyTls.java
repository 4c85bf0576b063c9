package io.respkv.proxy;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.respkv.server.TlsConfig;
import io.respkv.server.TlsHandshakeGate;
import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The proxy's TLS, built once from its {@link TlsConfig}s: the listener's context (clients connect
 * over TLS) and the backends' (the proxy connects to TLS cluster nodes, as Redis's
 * {@code tls-cluster} nodes talk to each other: the CA verifies the node, the certificate if
 * given is the proxy's client certificate). Either may be absent.
 */
final class ProxyTls {

    static final ProxyTls NONE = new ProxyTls(null, null, null);

    private final SslContext listener;
    private final SslContext backend;
    private final SSLSocketFactory backendSockets;

    private ProxyTls(SslContext listener, SslContext backend, SSLSocketFactory backendSockets) {
        this.listener = listener;
        this.backend = backend;
        this.backendSockets = backendSockets;
    }

    /** @throws IllegalArgumentException if a certificate, key or CA cannot be loaded */
    static ProxyTls of(TlsConfig clients, TlsConfig backends) {
        if (clients == null && backends == null) {
            return NONE;
        }
        try {
            return new ProxyTls(clients == null ? null : clients.serverContext(),
                    backends == null ? null : backends.clientContext(),
                    backends == null ? null : backends.jdkClientContext().getSocketFactory());
        } catch (SSLException e) {
            throw new IllegalArgumentException("TLS configuration: " + e.getMessage(), e);
        }
    }

    boolean clients() {
        return listener != null;
    }

    boolean backends() {
        return backend != null;
    }

    /** A new client connection's first handlers (nothing without client-side TLS). */
    void initClient(Channel ch) {
        if (listener != null) {
            ch.pipeline().addLast("tls", listener.newHandler(ch.alloc()));
            ch.pipeline().addLast("tls-gate", new TlsHandshakeGate());
        }
    }

    /** A new backend connection's first handler (nothing without backend TLS). */
    void initBackend(Channel ch, ClusterNode node) {
        if (backend != null) {
            ch.pipeline().addLast("tls", backend.newHandler(ch.alloc(), node.host(), node.port()));
        }
    }

    /** Wraps a connected blocking socket to {@code node} in TLS (the topology client's); the socket as is without backend TLS. */
    Socket wrapBackend(Socket socket, ClusterNode node) throws IOException {
        if (backendSockets == null) {
            return socket;
        }
        SSLSocket s = (SSLSocket) backendSockets.createSocket(socket, node.host(), node.port(), true);
        s.startHandshake();
        return s;
    }
}
