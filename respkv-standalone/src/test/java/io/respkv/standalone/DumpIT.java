package io.respkv.standalone;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respkv.server.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar respkv.jar dump} as a user runs it: refused while the server runs, then the dump on stdout. */
@Timeout(120)
class DumpIT {

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process start(String... args) throws IOException {
        String jar = Path.of(System.getProperty("respkv.jar", "target/respkv.jar")).toAbsolutePath().toString();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        processes.add(p);
        return p;
    }

    private record Exit(int status, byte[] stdout, String stderr) {
    }

    /** Runs a command of the jar to its end, reading both its outputs meanwhile. */
    private Exit run(String... args) throws Exception {
        Process p = start(args);
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running: " + String.join(" ", args));
        return new Exit(p.exitValue(), out, new String(err.get(30, TimeUnit.SECONDS), UTF_8));
    }


    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void refusedWhileTheServerHoldsTheStoreThenDumpsToStandardOutput(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        int port = FreePorts.probe();
        Process server = start("--port", Integer.toString(port), "--dir", dir.toString());
        String banner = readLine(server.getInputStream());
        assertTrue(banner.contains("ready on"), banner);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\u0000\u00ff\r\n"
                    + "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n"
                    + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nl\r\n$13\r\n4102444800000\r\n").getBytes(ISO_8859_1));
            assertEquals("+OK\r", readLine(s.getInputStream()));
            assertEquals(":2\r", readLine(s.getInputStream()));
            assertEquals(":1\r", readLine(s.getInputStream()));

            Exit refused = run("dump", "--dir", dir.toString());
            assertEquals(1, refused.status(), refused.stderr());
            assertEquals(0, refused.stdout().length);
            assertTrue(refused.stderr().startsWith("respkv dump: " + dir + " is in use by another process"), refused.stderr());

            s.getOutputStream().write("SHUTDOWN NOSAVE\r\n".getBytes(UTF_8));
            assertEquals(-1, s.getInputStream().read());
        }
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));

        Exit dump = run("dump", "--dir", dir.toString());
        assertEquals(0, dump.status(), dump.stderr());
        assertEquals("", dump.stderr(), "no progress bar without a terminal");
        assertEquals("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n\u0000\u00ff\r\n"
                + "*2\r\n$3\r\nDEL\r\n$1\r\nl\r\n"
                + "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n"
                + "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nl\r\n$13\r\n4102444800000\r\n", new String(dump.stdout(), ISO_8859_1));

        Exit help = run("dump", "--help");
        assertEquals(0, help.status());
        assertTrue(new String(help.stdout(), UTF_8).contains("--output FILE|-"));
    }
}
