package io.respkv.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.FreePorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Starts the shaded jar as a separate process, as a user would, and talks RESP to it. */
@Timeout(120)
class StandaloneServerIT {

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process start(String... args) throws IOException {
        return startIn(null, args);
    }

    private Process startIn(Path workingDir, String... args) throws IOException {
        String jar = Path.of(System.getProperty("respkv.jar", "target/respkv.jar")).toAbsolutePath().toString();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (workingDir != null) {
            pb.directory(workingDir.toFile());
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }


    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void helpListsEveryFlag() throws Exception {
        Process p = start("--help");
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        for (String flag : List.of("--port", "--bind", "--engine", "--dir", "--durability", "--requirepass",
                "--databases", "--event-loop-threads", "--command-threads", "--max-bulk-length", "--pg-url", "--pg-user", "--pg-password",
                "--pg-schema", "--pg-pool-size", "--pg-replica-url", "--pd", "--tikv-prefix", "--consistency", "--help")) {
            assertTrue(out.contains(flag), flag + " missing from --help:\n" + out);
        }
    }

    @Test
    void servesUntilSigtermThenExitsCleanly() throws Exception {
        int port = FreePorts.probe();
        Process p = start("--port", Integer.toString(port), "--bind", "127.0.0.1", "--engine", "memory");
        // Read the output on a thread from the start, so nothing blocks on a full pipe.
        StringBuffer output = new StringBuffer();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.contains("ready on")) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the stream closes when the process is destroyed
            }
        });
        reader.start();
        assertTrue(ready.await(30, TimeUnit.SECONDS), "no ready banner: " + output);
        assertTrue(output.toString().contains("ready on 127.0.0.1:" + port), output.toString());
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n".getBytes(UTF_8));
            out.flush();
            assertEquals("+OK\r", readLine(in));
            assertEquals("$2\r", readLine(in));
            assertEquals("v1\r", readLine(in));
            assertEquals("+PONG\r", readLine(in));
        }
        p.toHandle().destroy(); // SIGTERM, leaving our end of its output open
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "server did not stop on SIGTERM");
        reader.join(10_000);
        assertTrue(output.toString().contains("respkv stopped"), "graceful stop not reported: " + output);
        assertEquals(143, p.exitValue(), "the JVM exits with 128+SIGTERM after its shutdown hooks ran");
    }

    @Test
    void defaultEngineIsRocksDbUnderRespkvDataInTheWorkingDirectory(@org.junit.jupiter.api.io.TempDir Path cwd)
            throws Exception {
        int port = FreePorts.probe();
        Process p = startIn(cwd, "--port", Integer.toString(port));
        String banner = readLine(p.getInputStream());
        assertTrue(banner.contains("(engine rocksdb)"), banner);
        assertTrue(java.nio.file.Files.isDirectory(cwd.resolve("respkv-data")), "no ./respkv-data created");
        p.toHandle().destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void leveldbEngineKeepsDataAcrossARestart(@org.junit.jupiter.api.io.TempDir Path data) throws Exception {
        int port = FreePorts.probe();
        Process p = start("--port", Integer.toString(port), "--engine", "leveldb", "--dir", data.toString());
        String banner = readLine(p.getInputStream());
        assertTrue(banner.contains("(engine leveldb)"), banner);
        assertTrue(java.nio.file.Files.exists(data.resolve("CURRENT")), "no LevelDB database in --dir");
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nlevel\r\n".getBytes(UTF_8));
            s.getOutputStream().flush();
            assertEquals("+OK\r", readLine(s.getInputStream()));
        }
        p.toHandle().destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));

        int again = FreePorts.probe();
        Process q = start("--port", Integer.toString(again), "--engine", "leveldb", "--dir", data.toString());
        readLine(q.getInputStream());
        try (Socket s = new Socket("127.0.0.1", again)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes(UTF_8));
            s.getOutputStream().flush();
            assertEquals("$5\r", readLine(s.getInputStream()));
            assertEquals("level\r", readLine(s.getInputStream()));
        }
        q.toHandle().destroy();
        assertTrue(q.waitFor(30, TimeUnit.SECONDS));
    }

    @Test
    void helpListsTheLevelDbEngine() throws Exception {
        Process p = start("--help");
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(out.matches("(?s).*available: [^\\n]*leveldb.*"), out);
    }

    @Test
    void shutdownCommandStopsTheStandaloneServer() throws Exception {
        int port = FreePorts.probe();
        Process p = start("--port", Integer.toString(port), "--engine", "memory");
        readLine(p.getInputStream());
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("SHUTDOWN NOSAVE\r\n".getBytes(UTF_8));
            s.getOutputStream().flush();
            assertEquals(-1, s.getInputStream().read(), "SHUTDOWN replies nothing and closes the connection");
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "server did not stop on SHUTDOWN");
        assertEquals(0, p.exitValue());
    }

    @Test
    void postgresEngineKeepsTheDataInTheGivenDatabaseAndSchema() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off").start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            int port = FreePorts.probe();
            Process p = start("--port", Integer.toString(port), "--engine", "postgres", "--pg-url", url,
                    "--pg-user", "postgres", "--pg-password", "unused", "--pg-schema", "standalone_it",
                    "--pg-pool-size", "2", "--pg-replica-url", url, "--consistency", "stale");
            String line;
            StringBuilder output = new StringBuilder();
            do {
                line = readLine(p.getInputStream());
                output.append(line).append('\n');
            } while (!line.contains("ready on") && p.isAlive());
            assertTrue(line.contains("(engine postgres)"), output.toString());
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
                        .getBytes(UTF_8));
                s.getOutputStream().flush();
                assertEquals("+OK\r", readLine(s.getInputStream()));
                assertEquals("$2\r", readLine(s.getInputStream()));
                assertEquals("v1\r", readLine(s.getInputStream()));
                // --consistency stale: connections start STALE, their reads go to --pg-replica-url (here the same database)
                s.getOutputStream().write("*1\r\n$18\r\nRESPKV.CONSISTENCY\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes(UTF_8));
                s.getOutputStream().flush();
                assertEquals("$5\r", readLine(s.getInputStream()));
                assertEquals("STALE\r", readLine(s.getInputStream()));
                assertEquals("$2\r", readLine(s.getInputStream()));
                assertEquals("v1\r", readLine(s.getInputStream()));
            }
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM standalone_it.respkv_kv")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "the string is one metadata row in the schema given by --pg-schema");
            }
            p.toHandle().destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void tikvEngineWithoutPdExitsWithUsageError() throws Exception {
        Process p = start("--engine", "tikv", "--tikv-prefix", "x/");
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("--pd"), out);
    }

    @Test
    void postgresEngineWithoutAUrlExitsWithUsageError() throws Exception {
        Process p = start("--engine", "postgres", "--pg-schema", "x");
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("--pg-url"), out);
    }

    @Test
    void badFlagsExitWithUsageError() throws Exception {
        Process p = start("--port", "notaport");
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(out.contains("--port needs an integer"), out);
    }

    @Test
    void servesTlsOnlyFromTheFlags(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        io.respkv.server.tls.TestCertificates certs = io.respkv.server.tls.TestCertificates.create(dir);
        int tlsPort = FreePorts.probe();
        // as Redis: --port 0 with a TLS port serves TLS only; client certificates required (the default)
        Process p = start("--port", "0", "--tls-port", Integer.toString(tlsPort), "--engine", "memory",
                "--tls-cert-file", certs.serverCert().toString(), "--tls-key-file", certs.serverKey().toString(),
                "--tls-ca-cert-file", certs.caCert().toString());
        String banner = "";
        for (int i = 0; i < 50 && !banner.contains("ready on"); i++) {
            banner = readLine(p.getInputStream());
        }
        assertTrue(banner.contains("ready on 127.0.0.1 tls:" + tlsPort + " (OPENSSL) (engine memory)"), banner);
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) certs.clientContext().getSocketFactory()
                .createSocket("127.0.0.1", tlsPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("PING\r\n".getBytes(UTF_8));
            s.getOutputStream().flush();
            assertEquals("+PONG\r", readLine(s.getInputStream()));
        }
        p.toHandle().destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }
}
