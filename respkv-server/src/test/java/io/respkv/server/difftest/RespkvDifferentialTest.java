package io.respkv.server.difftest;

import io.respkv.api.KeyspaceEngine;
import io.respkv.server.RespServer;
import io.respkv.server.engine.MemoryEngine;

/**
 * The base of every respkv-versus-Redis differential test: starts a respkv server on a free
 * port over {@link #openEngine()} (the memory engine unless an engine module overrides it, so the
 * same command tests prove every engine), and a real redis-server 7.0.15 beside it.
 */
public abstract class RespkvDifferentialTest extends DifferentialTestBase {

    private RespServer server;

    /** The engine under test; engine modules override this to run the whole suite on their engine. */
    protected KeyspaceEngine openEngine() throws Exception {
        return new MemoryEngine();
    }

    /** Lets a test class adjust the server (e.g. a password). */
    protected RespServer.Builder configure(RespServer.Builder builder) {
        return builder;
    }

    @Override
    protected void startRespkv() throws Exception {
        server = configure(RespServer.builder().port(0).ownedEngine(openEngine())).start().join();
    }

    @Override
    protected void stopRespkv() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected int respkvPort() {
        return server.activePort();
    }

    /** The respkv server under test. */
    protected RespServer server() {
        return server;
    }
}
