package io.respkv.server.command.meta;

import io.respkv.api.CommandArgs;
import io.respkv.codec.RespRequest;
import java.nio.charset.StandardCharsets;

/**
 * Test arguments: a real {@link RespRequest} (so every {@link CommandArgs} rule is the server's),
 * plus the raw arguments to send the same command to a real Redis.
 */
final class TestArgs implements CommandArgs {

    private final byte[][] args;
    private final RespRequest request;

    TestArgs(byte[]... args) {
        this.args = args;
        this.request = RespRequest.of(args);
    }

    static TestArgs of(String... args) {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return new TestArgs(raw);
    }

    /** The same arguments as byte arrays (to send them to a real server). */
    byte[][] raw() {
        return args.clone();
    }

    @Override
    public int count() {
        return request.count();
    }

    @Override
    public int length(int index) {
        return request.length(index);
    }

    @Override
    public byte byteAt(int index, int offset) {
        return request.byteAt(index, offset);
    }

    @Override
    public byte[] bytes(int index) {
        return request.bytes(index);
    }

    @Override
    public String string(int index) {
        return request.string(index);
    }

    @Override
    public boolean is(int index, String keyword) {
        return request.is(index, keyword);
    }

    @Override
    public long parseLong(int index) {
        return request.parseLong(index);
    }
}
