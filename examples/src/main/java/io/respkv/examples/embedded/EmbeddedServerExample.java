package io.respkv.examples.embedded;

import io.respkv.server.RespServer;
import io.respkv.server.engine.MemoryEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Starts respkv inside this JVM, talks to it over RESP like any Redis client would, and stops it.
 *
 * <pre>
 * usage: EmbeddedServerExample [port]     (default 0: any free port)
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.respkv.examples.embedded.EmbeddedServerExample
 * </pre>
 */
public final class EmbeddedServerExample {

    private EmbeddedServerExample() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 1 || (args.length == 1 && !args[0].matches("\\d+"))) {
            System.err.println("usage: EmbeddedServerExample [port]");
            System.exit(2);
        }
        int port = args.length == 1 ? Integer.parseInt(args[0]) : 0;
        System.out.println(run(port));
    }

    /** Starts a server, sets and reads a key, and returns what the server answered. */
    static String run(int port) throws IOException {
        try (MemoryEngine engine = new MemoryEngine();
             RespServer server = RespServer.builder().port(port).engine(engine).start().join();
             Socket socket = new Socket(server.bindAddress(), server.activePort())) {
            OutputStream out = socket.getOutputStream();
            // Two requests pipelined in one write: respkv answers both with one flush.
            out.write(("*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nworld\r\n"
                    + "*2\r\n$3\r\nGET\r\n$5\r\nhello\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] expected = "+OK\r\n$5\r\nworld\r\n".getBytes(StandardCharsets.UTF_8);
            byte[] reply = in.readNBytes(expected.length);
            return "respkv on port " + server.activePort() + " answered: "
                    + new String(reply, StandardCharsets.UTF_8).replace("\r\n", "\\r\\n");
        }
    }
}
