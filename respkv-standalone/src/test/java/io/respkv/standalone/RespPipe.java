package io.respkv.standalone;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.respkv.server.difftest.RespFrame;
import io.respkv.server.difftest.RespFrameReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What {@code redis-cli --pipe} does, in the test's process: writes a file of RESP commands to
 * a server's socket as it is, then {@code ECHO <random 20 bytes>}, and reads replies (on the same
 * time as the writing, so neither side blocks on a full socket) until the echo comes back.
 */
final class RespPipe {

    /** The replies read before the echo, and the error replies among them. */
    record Result(long replies, List<String> errors) {
    }

    private RespPipe() {
    }

    static Result replay(Path commands, int port) throws Exception {
        byte[] marker = new byte[20];
        ThreadLocalRandom.current().nextBytes(marker);
        String hex = HexFormat.of().formatHex(marker);
        byte[] echo = ("*2\r\n$4\r\nECHO\r\n$" + hex.length() + "\r\n" + hex + "\r\n").getBytes(US_ASCII);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(60_000);
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (InputStream in = Files.newInputStream(commands)) {
                    OutputStream out = socket.getOutputStream();
                    in.transferTo(out);
                    out.write(echo);
                    out.flush();
                } catch (Throwable t) {
                    writeFailure.set(t);
                }
            }, "resp-pipe-writer");
            writer.start();
            RespFrameReader reader = new RespFrameReader(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            long replies = 0;
            List<String> errors = new ArrayList<>();
            while (true) {
                RespFrame reply = reader.read(); // EOFException if the server hangs up
                if (reply.isError()) {
                    errors.add(reply.text());
                } else if (hex.equals(reply.text())) {
                    break;
                }
                replies++;
            }
            writer.join(60_000);
            if (writeFailure.get() != null) {
                throw new IOException("writing the commands failed", writeFailure.get());
            }
            return new Result(replies, errors);
        }
    }
}
