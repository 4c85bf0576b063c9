package io.respkv.engine.tikv;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respkv.server.RespServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TIKV.* and PD.* commands the engine contributes, over a respkv server on the stand-in
 * cluster (or a real one, {@code -Dtikv.pd}): exact reply bytes.
 */
@Timeout(120)
class TikvCommandsTest {

    private RespServer server;
    private Socket socket;
    /** Raw keys of this test live under it (a real cluster may hold other raw data). */
    private final String p = TikvTestCluster.newPrefix("raw");

    @BeforeEach
    void start() throws IOException {
        server = RespServer.builder().port(0).ownedEngine(TikvTestCluster.open("commands")).start().join();
        socket = new Socket("127.0.0.1", server.activePort());
        socket.setSoTimeout(30_000);
    }

    @AfterEach
    void stop() throws IOException {
        socket.close();
        server.close();
    }

    /** Sends a command (RESP array of bulk strings) and returns exactly the {@code expected.length()} reply bytes. */
    private String call(String expected, String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.length + "\r\n").getBytes(UTF_8));
        for (String a : args) {
            byte[] b = a.getBytes(UTF_8);
            out.writeBytes(("$" + b.length + "\r\n").getBytes(UTF_8));
            out.writeBytes(b);
            out.writeBytes("\r\n".getBytes(UTF_8));
        }
        socket.getOutputStream().write(out.toByteArray());
        byte[] reply = socket.getInputStream().readNBytes(expected.getBytes(UTF_8).length);
        return new String(reply, UTF_8);
    }

    private void expect(String expected, String... args) throws IOException {
        assertEquals(expected, call(expected, args), String.join(" ", args));
    }

    private static String bulk(String s) {
        return "$" + s.getBytes(UTF_8).length + "\r\n" + s + "\r\n";
    }

    @Test
    void rawGetPutDelAndMultiKeyCommands() throws IOException {
        expect("$-1\r\n", "TIKV.GET", p + "a");
        expect("+OK\r\n", "TIKV.PUT", p + "a", "1");
        expect("-ERR tikv: empty values are not supported by TiKV raw KV\r\n", "tikv.set", p + "b", "");
        expect("+OK\r\n", "tikv.set", p + "b", "2");
        expect(bulk("1"), "TIKV.GET", p + "a");
        expect(bulk("2"), "TIKV.GET", p + "b");
        expect("+OK\r\n", "TIKV.MSET", p + "c", "3", p + "d", "4");
        expect("+OK\r\n", "TIKV.MPUT", p + "e", "5");
        expect("*4\r\n" + bulk("1") + "$-1\r\n" + bulk("4") + bulk("2"), "TIKV.MGET", p + "a", p + "zz", p + "d",
                p + "b");
        expect(":2\r\n", "TIKV.DEL", p + "a", p + "b", p + "zz");
        expect("*2\r\n$-1\r\n$-1\r\n", "TIKV.MGET", p + "a", p + "b");
    }

    @Test
    void arityAndArgumentErrors() throws IOException {
        expect("-ERR wrong number of arguments for 'tikv.get' command\r\n", "TIKV.GET");
        expect("-ERR wrong number of arguments for 'tikv.mset' command\r\n", "TIKV.MSET", p + "k", "v", p + "k2");
        expect("-ERR value is not an integer or out of range\r\n", "TIKV.SCAN", p, "x");
        expect("-ERR wrong number of arguments for 'tikv.scan' command\r\n", "TIKV.SCAN", p, p + "z", "1", "2");
    }

    @Test
    void scanAndDeleteRangeCrossRegions() throws IOException {
        for (int i = 0; i < 6; i++) {
            expect("+OK\r\n", "TIKV.PUT", p + "s" + i, "v" + i);
        }
        StandInTikvCluster c = TikvTestCluster.standIn();
        if (c != null) {
            c.split((p + "s3").getBytes(UTF_8)); // a raw key is its own PD key: a boundary between s2 and s3
        }
        expect("*6\r\n" + bulk(p + "s1") + bulk("v1") + bulk(p + "s2") + bulk("v2") + bulk(p + "s3") + bulk("v3"),
                "TIKV.SCAN", p + "s1", p + "s5", "3");
        expect("*4\r\n" + bulk(p + "s4") + bulk("v4") + bulk(p + "s5") + bulk("v5"), "TIKV.SCAN", p + "s4", p + "t",
                "10");
        expect("+OK\r\n", "TIKV.DELRANGE", p + "s1", p + "s5");
        expect("*4\r\n" + bulk(p + "s0") + bulk("v0") + bulk(p + "s5") + bulk("v5"), "TIKV.SCAN", p + "s", p + "t",
                "10");
    }

    @Test
    void loadCopiesARawValueIntoTheKeyspaceAsAString() throws IOException {
        expect("+OK\r\n", "TIKV.PUT", p + "l", "hello");
        expect(bulk("hello"), "TIKV.LOAD", p + "l");
        expect(bulk("hello"), "GET", p + "l");
        expect("+string\r\n", "TYPE", p + "l");
        expect("$-1\r\n", "TIKV.LOAD", p + "absent");
        expect(":0\r\n", "EXISTS", p + "absent");
        // the raw key space and respkv's are apart: SET does not change the raw value
        expect("+OK\r\n", "SET", p + "l", "changed");
        expect(bulk("hello"), "TIKV.GET", p + "l");
    }

    @Test
    void connCloseAndPdMembers() throws IOException {
        String pd = TikvTestCluster.pd().split(",")[0];
        expect("+OK\r\n", "TIKV.CONN", pd);
        expect("+OK\r\n", "TIKV.PUT", p + "c", "1");
        expect("+OK\r\n", "TIKV.CLOSE");
        expect(bulk("1"), "TIKV.GET", p + "c"); // the engine's own cluster: the same one here
        if (TikvTestCluster.standIn() != null) {
            String url = "http://" + pd;
            expect("*1\r\n*4\r\n" + bulk("stand-in-pd") + ":1\r\n*1\r\n" + bulk(url) + ":1\r\n", "PD.MEMBERS");
            expect("*1\r\n*4\r\n" + bulk("stand-in-pd") + ":1\r\n*1\r\n" + bulk(url) + ":1\r\n", "PD.MEMBERS", pd);
        }
    }

    /** MGET and HMGET read their keys and fields with batched reads, not one KvGet each. */
    @Test
    void mgetAndHmgetUseBatchedReads() throws IOException {
        StandInTikvCluster standIn = TikvTestCluster.standIn();
        org.junit.jupiter.api.Assumptions.assumeTrue(standIn != null, "counts requests on the stand-in");
        String[] mget = new String[21];
        String[] hmget = new String[22];
        StringBuilder values = new StringBuilder("*20\r\n");
        StringBuilder fieldValues = new StringBuilder("*20\r\n");
        mget[0] = "MGET";
        hmget[0] = "HMGET";
        hmget[1] = "h";
        for (int i = 0; i < 20; i++) {
            expect("+OK\r\n", "SET", "key" + i, "v" + i);
            expect(":1\r\n", "HSET", "h", "f" + i, "w" + i);
            mget[i + 1] = "key" + i;
            hmget[i + 2] = "f" + i;
            values.append(bulk("v" + i));
            fieldValues.append(bulk("w" + i));
        }
        long gets = calls(standIn, "KvGet");
        expect(values.toString(), mget);
        assertEquals(0, calls(standIn, "KvGet") - gets, "MGET: no single-key reads");
        gets = calls(standIn, "KvGet");
        expect(fieldValues.toString(), hmget);
        assertEquals(1, calls(standIn, "KvGet") - gets, "HMGET: the hash's metadata, then its fields in batches");
    }

    private static long calls(StandInTikvCluster standIn, String call) {
        java.util.concurrent.atomic.AtomicLong n = standIn.calls.get(call);
        return n == null ? 0 : n.get();
    }
}
