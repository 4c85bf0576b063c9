package io.respkv.examples.postgres;

import io.respkv.engine.postgres.PostgresEngine;
import io.respkv.server.RespServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Starts respkv over a PostgreSQL database given on the command line: the engine creates its
 * schema on first connect, then a Redis client's writes land in PostgreSQL rows that any number
 * of respkv instances pointed at the same database and schema share.
 *
 * <pre>
 * usage: PostgresServerExample JDBC_URL [USER [PASSWORD]]
 *   e.g. PostgresServerExample jdbc:postgresql://localhost:5432/postgres postgres secret
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.respkv.examples.postgres.PostgresServerExample \
 *     -Dexec.args="jdbc:postgresql://localhost:5432/postgres postgres secret"
 * </pre>
 *
 * It sets a key, increments a counter twice and reads both back over RESP, prints the replies
 * and the schema the rows are in, and stops. Run it twice: the counter keeps counting, because
 * the data lives in PostgreSQL.
 */
public final class PostgresServerExample {

    /** The schema this example keeps its data in. */
    static final String SCHEMA = "respkv_example";

    private PostgresServerExample() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 3 || !args[0].startsWith("jdbc:postgresql:")) {
            System.err.println("usage: PostgresServerExample JDBC_URL [USER [PASSWORD]]");
            System.err.println("  e.g. PostgresServerExample jdbc:postgresql://localhost:5432/postgres postgres secret");
            System.exit(2);
        }
        System.out.println(run(args[0], args.length > 1 ? args[1] : null, args.length > 2 ? args[2] : null, SCHEMA));
    }

    /** Opens the engine and a server on a free port, talks to it, stops both; returns what was answered. */
    static String run(String url, String user, String password, String schema) throws IOException {
        try (PostgresEngine engine = PostgresEngine.builder().url(url).user(user).password(password)
                     .schema(schema).poolSize(4).build();
             RespServer server = RespServer.builder().port(0).engine(engine).start().join();
             Socket socket = new Socket(server.bindAddress(), server.activePort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            // Four requests pipelined in one write; respkv answers them in order.
            out.write(command("SET", "greeting", "hello from postgres"));
            out.write(command("INCR", "visits"));
            out.write(command("INCR", "visits"));
            out.write(command("GET", "greeting"));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder replies = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                replies.append(i == 0 ? "" : " ").append(readReply(in));
            }
            return "respkv on port " + server.activePort() + " over " + url + " (schema " + engine.schema()
                    + ") answered: " + replies;
        }
    }

    private static byte[] command(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            sb.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads one simple-string, integer or bulk-string reply and renders it as redis-cli would. */
    private static String readReply(InputStream in) throws IOException {
        String line = readLine(in);
        return switch (line.charAt(0)) {
            case '+' -> line.substring(1);
            case ':' -> "(integer) " + line.substring(1);
            case '$' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length < 0) {
                    yield "(nil)";
                }
                byte[] data = in.readNBytes(length + 2);
                yield '"' + new String(data, 0, length, StandardCharsets.UTF_8) + '"';
            }
            default -> line;
        };
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c == -1) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
