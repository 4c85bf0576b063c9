package io.respkv.server.difftest;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import io.respkv.server.RespServer;
import io.respkv.server.engine.MemoryEngine;

/**
 * The base of every respkv-versus-Redis differential test: starts a respkv server on a free
 * port over {@link #openEngine()}, and a real redis-server 7.0.15 beside it.
 *
 * <p>The engine is chosen by the system property {@value #ENGINE_PROPERTY} (default
 * {@code memory}), found by name through {@link KeyspaceEngineProvider}; engines other than
 * memory get a fresh temporary {@code dir}. Engine modules run this module's differential tests
 * (from its test-jar) with the property set, so every engine proves the same Redis semantics.
 */
public abstract class RespkvDifferentialTest extends DifferentialTestBase {

    /** System property naming the engine the differential tests run on. */
    public static final String ENGINE_PROPERTY = "respkv.test.engine";

    private RespServer server;
    private Path engineDir;

    /** The engine under test. */
    protected KeyspaceEngine openEngine() throws Exception {
        String name = System.getProperty(ENGINE_PROPERTY, "memory");
        if (name.equals("memory")) {
            return new MemoryEngine();
        }
        for (KeyspaceEngineProvider p : ServiceLoader.load(KeyspaceEngineProvider.class)) {
            if (p.name().equals(name)) {
                engineDir = Files.createTempDirectory("respkv-difftest-" + name);
                return p.open(Map.of("dir", engineDir.toString()));
            }
        }
        throw new IllegalStateException("no engine named '" + name + "' on the test classpath");
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
    protected void stopRespkv() throws IOException {
        if (server != null) {
            server.close();
        }
        if (engineDir != null) {
            try (Stream<Path> files = Files.walk(engineDir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
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
