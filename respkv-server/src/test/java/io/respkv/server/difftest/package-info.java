/**
 * Differential testing against a real redis-server 7.0.15: the same commands go to Redis
 * and to the server under test, and the replies must be the same bytes, in RESP2 and RESP3.
 *
 * <p>The harness knows nothing of respkv; a target is just {@code host:port}
 * ({@link io.respkv.server.difftest.RespTarget}). It ships in respkv-server's test-jar so
 * engine modules can run the same tests against respkv over their engine.
 *
 * <ul>
 *   <li>{@link io.respkv.server.difftest.DifferentialTestBase}: base class per command group;
 *       starts the reference Redis, a subclass provides respkv.</li>
 *   <li>{@link io.respkv.server.difftest.Differential}: one session; {@code check},
 *       {@code checkSequence}, {@code checkShape}, {@code checkSorted},
 *       {@code checkIntegerWithin}, {@code checkRaw}, {@code sendBoth}.</li>
 *   <li>{@link io.respkv.server.difftest.ProtocolTest}: runs a test once per protocol.</li>
 *   <li>{@link io.respkv.server.difftest.EmbeddedRedis} and
 *       {@link io.respkv.server.difftest.EmbeddedRedisExtension}: a Redis per test class.</li>
 *   <li>{@link io.respkv.server.difftest.RawRespClient}: a socket client reading one raw
 *       reply frame ({@link io.respkv.server.difftest.RespFrame}) at a time, with timeouts.</li>
 * </ul>
 *
 * <h2>Usage</h2>
 * <pre>{@code
 * class StringCommandsDifferentialTest extends DifferentialTestBase {
 *     private RespServer server;
 *
 *     @Override protected void startRespkv() { server = RespServer.builder().port(0).start(); }
 *     @Override protected void stopRespkv() { if (server != null) server.close(); }
 *     @Override protected int respkvPort() { return server.activePort(); }
 *
 *     @ProtocolTest
 *     void strings(ProtocolVersion protocol) {
 *         try (Differential d = open(protocol)) {
 *             d.checkSequence("SET k v EX 100", "GET k", "APPEND k \"\\x00\\xff\"", "STRLEN k");
 *             d.checkIntegerWithin(1, "TTL", "k");              // clocks tick independently
 *             d.check(Differential.bytes("SET"), new byte[] {0}, new byte[] {(byte) 0xff});
 *             d.checkSequence("INCR k", "GET", "NOSUCHCMD a"); // errors compared too
 *             d.checkSorted("KEYS", "*");                       // order unspecified
 *             d.checkShape("TIME");                              // content differs, types don't
 *             d.checkRaw(Differential.bytes("GET k\r\n"));       // inline command
 *             d.checkRaw(Differential.bytes("*1\r\n$4\r\nPING\r\n*x\r\n")); // protocol error, close
 *         }
 *     }
 * }
 * }</pre>
 * A failing check throws an {@link org.opentest4j.AssertionFailedError} such as:
 * <pre>
 * [RESP3] replies differ at step 3: "GET" "k"
 *   redis@127.0.0.1:40123  : "$1\r\nv\r\n"
 *   respkv@127.0.0.1:40177 : "$1\r\nw\r\n"
 *   (first difference at byte 4)
 * steps before it (oldest first, with the redis reply):
 *      setup  "HELLO" "3"
 *    1 setup  "FLUSHALL" -&gt; "+OK\r\n"
 *    2 check  "SET" "k" "v" -&gt; "+OK\r\n"
 * </pre>
 */
package io.respkv.server.difftest;
