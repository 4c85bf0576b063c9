package io.respkv.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respkv.codec.RespFrameScanner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks one node for the slot layout ({@code CLUSTER SLOTS}) over a short-lived blocking socket.
 * Runs on the proxy's topology thread only, never on an event loop.
 */
final class TopologyClient {

    private TopologyClient() {
    }

    /**
     * The slot map as {@code node} sees it.
     *
     * @throws IOException if the node cannot be reached, refuses, or answers something else than a slot list
     */
    static SlotMap fetch(ClusterNode node, String user, String password, Duration timeout, ProxyTls tls)
            throws IOException {
        try (Socket tcp = new Socket()) {
            int millis = (int) Math.max(1, timeout.toMillis());
            tcp.connect(new InetSocketAddress(node.host(), node.port()), millis);
            tcp.setSoTimeout(millis);
            tcp.setTcpNoDelay(true);
            Socket socket = tls.wrapBackend(tcp, node); // closed with tcp
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            ByteBuf buf = Unpooled.buffer(4096);
            try {
                if (password != null) {
                    Object auth = call(out, in, buf, user == null ? new String[] {"AUTH", password}
                            : new String[] {"AUTH", user, password});
                    if (auth instanceof ReplyValue.Error e) {
                        throw new IOException(node + " refused AUTH: " + e.line());
                    }
                }
                Object slots = call(out, in, buf, "CLUSTER", "SLOTS");
                if (slots instanceof ReplyValue.Error e) {
                    throw new IOException(node + " answered CLUSTER SLOTS with " + e.line());
                }
                return toSlotMap(node, slots);
            } finally {
                buf.release();
            }
        }
    }

    private static Object call(OutputStream out, InputStream in, ByteBuf buf, String... args) throws IOException {
        out.write(Commands.encode(args));
        out.flush();
        buf.clear();
        byte[] chunk = new byte[8192];
        while (true) {
            int len = RespFrameScanner.frameLength(buf, 0);
            if (len >= 0) {
                return ReplyValue.parse(buf, 0);
            }
            int n = in.read(chunk);
            if (n < 0) {
                throw new IOException("connection closed");
            }
            buf.writeBytes(chunk, 0, n);
        }
    }

    private static SlotMap toSlotMap(ClusterNode asked, Object reply) throws IOException {
        if (!(reply instanceof List<?> ranges)) {
            throw new IOException(asked + " answered CLUSTER SLOTS with " + reply);
        }
        SlotMap.Builder map = new SlotMap.Builder();
        for (Object r : ranges) {
            if (!(r instanceof List<?> range) || range.size() < 3) {
                throw new IOException("malformed CLUSTER SLOTS entry from " + asked + ": " + r);
            }
            int from = ((Long) range.get(0)).intValue();
            int to = ((Long) range.get(1)).intValue();
            ClusterNode master = node(asked, range.get(2));
            List<ClusterNode> replicas = new ArrayList<>();
            for (int i = 3; i < range.size(); i++) {
                ClusterNode replica = node(asked, range.get(i));
                if (replica != null) {
                    replicas.add(replica);
                }
            }
            if (master != null) {
                map.range(from, to, master, replicas);
            }
        }
        return map.build();
    }

    /** A node entry: {@code [ip, port, id, ...]}; an empty ip means "the node you asked" (Redis's unknown endpoint). */
    private static ClusterNode node(ClusterNode asked, Object entry) throws IOException {
        if (!(entry instanceof List<?> fields) || fields.size() < 2) {
            throw new IOException("malformed CLUSTER SLOTS node from " + asked + ": " + entry);
        }
        String host = (String) fields.get(0);
        int port = ((Long) fields.get(1)).intValue();
        if (host == null || host.isEmpty() || host.equals("?")) {
            host = asked.host();
        }
        if (port <= 0) {
            return null;
        }
        return new ClusterNode(host, port);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
