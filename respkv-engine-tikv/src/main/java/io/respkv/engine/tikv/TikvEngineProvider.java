package io.respkv.engine.tikv;

import io.respkv.api.KeyspaceEngine;
import io.respkv.api.KeyspaceEngineProvider;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * ServiceLoader provider for {@link TikvEngine} ({@code --engine tikv}). Options:
 *
 * <table>
 *   <caption>tikv engine options</caption>
 *   <tr><th>option</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code pd}</td><td>PD endpoints, {@code host:port[,host:port...]}</td><td>required</td></tr>
 *   <tr><td>{@code prefix}</td><td>prefix of every TiKV key respkv uses (UTF-8; may be empty)</td><td>{@code respkv/}</td></tr>
 *   <tr><td>{@code timeout-ms}</td><td>gRPC request timeout</td><td>2000</td></tr>
 *   <tr><td>{@code lock-ttl-ms}</td><td>lifetime of a dead transaction's locks</td><td>3000</td></tr>
 *   <tr><td>{@code lock-wait-ms}</td><td>how long a read or prewrite waits on other transactions' locks</td><td>2000</td></tr>
 * </table>
 *
 * A {@code dir} option (what tests and the standalone pass every engine) is ignored. Unknown
 * options and bad values are an {@link IllegalArgumentException} naming them.
 */
public final class TikvEngineProvider implements KeyspaceEngineProvider {

    private static final List<String> KNOWN = List.of("pd", "prefix", "timeout-ms", "lock-ttl-ms", "lock-wait-ms", "dir");

    @Override
    public String name() {
        return "tikv";
    }

    @Override
    public KeyspaceEngine open(Map<String, String> options) {
        return builder(options).build();
    }

    static TikvEngine.Builder builder(Map<String, String> options) {
        TreeSet<String> unknown = new TreeSet<>(options.keySet());
        KNOWN.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown tikv engine option" + (unknown.size() > 1 ? "s " : " ")
                    + unknown + "; known: " + KNOWN.subList(0, KNOWN.size() - 1));
        }
        String pd = options.get("pd");
        if (pd == null || pd.isBlank()) {
            throw new IllegalArgumentException("the tikv engine needs PD addresses (option pd, standalone --pd),"
                    + " e.g. 127.0.0.1:2379");
        }
        TikvEngine.Builder b = TikvEngine.builder()
                .pd(Arrays.stream(pd.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        if (options.containsKey("prefix")) {
            b.prefix(options.get("prefix"));
        }
        String timeout = options.get("timeout-ms");
        if (timeout != null) {
            b.timeout(Duration.ofMillis(number("timeout-ms", timeout, 1)));
        }
        String ttl = options.get("lock-ttl-ms");
        if (ttl != null) {
            b.lockTtl(Duration.ofMillis(number("lock-ttl-ms", ttl, 100)));
        }
        String wait = options.get("lock-wait-ms");
        if (wait != null) {
            b.lockWait(Duration.ofMillis(number("lock-wait-ms", wait, 1)));
        }
        return b;
    }

    private static long number(String option, String value, long min) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            n = Long.MIN_VALUE;
        }
        if (n < min || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " needs an integer from " + min + " to " + Integer.MAX_VALUE
                    + ", got '" + value + "'");
        }
        return n;
    }
}
