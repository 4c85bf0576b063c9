package io.respkv.server.command;

import com.sun.management.OperatingSystemMXBean;
import io.respkv.server.ServerState;
import io.respkv.server.keyspace.Keyspace;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code INFO [section ...]}: Redis's sections and field names, with respkv's values. Sections:
 * server, clients, memory, persistence, stats, replication, cpu, modules, errorstats, cluster,
 * keyspace, commandstats; {@code default}, {@code all} and {@code everything} as in Redis 7.
 * Memory figures are the JVM's heap.
 */
final class InfoCommand {

    private InfoCommand() {
    }

    private static final List<String> DEFAULT = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "modules", "errorstats", "cluster", "keyspace");
    private static final List<String> ALL = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "modules", "commandstats", "errorstats", "cluster", "keyspace");

    static void register(CommandTable t) {
        t.register("info", InfoCommand::info);
    }

    static void info(ExecutionContext ctx) {
        Set<String> sections = new LinkedHashSet<>();
        if (ctx.argc() == 1) {
            sections.addAll(DEFAULT);
        }
        for (int i = 1; i < ctx.argc(); i++) {
            String s = ctx.args().string(i).toLowerCase(Locale.ROOT);
            switch (s) {
                case "default" -> sections.addAll(DEFAULT);
                case "all", "everything" -> sections.addAll(ALL);
                default -> sections.add(s);
            }
        }
        StringBuilder out = new StringBuilder();
        for (String s : ALL) {
            if (sections.contains(s)) {
                if (out.length() > 0) {
                    out.append("\r\n");
                }
                section(ctx, s, out);
            }
        }
        ctx.reply().verbatim("txt", out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void section(ExecutionContext ctx, String name, StringBuilder out) {
        ServerState s = ctx.server();
        switch (name) {
            case "server" -> {
                out.append("# Server\r\n");
                line(out, "redis_version", ServerInfo.REDIS_VERSION);
                line(out, "respkv_version", ServerInfo.RESPKV_VERSION);
                line(out, "redis_mode", "standalone");
                line(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
                line(out, "arch_bits", "64");
                line(out, "multiplexing_api", s.config().transport().configName());
                line(out, "java_version", System.getProperty("java.version"));
                line(out, "process_id", Long.toString(ProcessHandle.current().pid()));
                line(out, "run_id", s.runId());
                line(out, "tcp_port", Integer.toString(s.port()));
                line(out, "server_time_usec", Long.toString(ctx.nowMillis() * 1000));
                line(out, "uptime_in_seconds", Long.toString(s.uptimeMillis() / 1000));
                line(out, "uptime_in_days", Long.toString(s.uptimeMillis() / 86_400_000));
                line(out, "engine", s.engine().name());
                line(out, "config_file", "");
            }
            case "clients" -> {
                out.append("# Clients\r\n");
                line(out, "connected_clients", Integer.toString(s.clients().size()));
                line(out, "maxclients", s.settings().get("maxclients"));
                line(out, "blocked_clients", Integer.toString(s.blocking().blockedClients()));
                line(out, "tracking_clients", "0");
            }
            case "memory" -> {
                Runtime rt = Runtime.getRuntime();
                long used = rt.totalMemory() - rt.freeMemory();
                out.append("# Memory\r\n");
                line(out, "used_memory", Long.toString(used));
                line(out, "used_memory_human", human(used));
                line(out, "used_memory_peak", Long.toString(rt.totalMemory()));
                line(out, "used_memory_peak_human", human(rt.totalMemory()));
                line(out, "total_system_memory", Long.toString(totalSystemMemory()));
                line(out, "maxmemory", s.settings().get("maxmemory"));
                line(out, "maxmemory_policy", s.settings().get("maxmemory-policy"));
                line(out, "jvm_heap_max", Long.toString(rt.maxMemory()));
            }
            case "persistence" -> {
                out.append("# Persistence\r\n");
                line(out, "loading", "0");
                line(out, "rdb_changes_since_last_save", "0");
                line(out, "rdb_bgsave_in_progress", "0");
                line(out, "rdb_last_bgsave_status", "ok");
                line(out, "aof_enabled", "0");
                line(out, "aof_rewrite_in_progress", "0");
                line(out, "engine_persistent", s.engine().has(io.respkv.api.EngineFeature.PERSISTENT) ? "1" : "0");
            }
            case "stats" -> {
                out.append("# Stats\r\n");
                line(out, "total_connections_received", Long.toString(s.totalConnections()));
                line(out, "total_commands_processed", Long.toString(s.totalCommands.sum()));
                line(out, "total_net_input_bytes", Long.toString(s.netInputBytes.sum()));
                line(out, "total_net_output_bytes", Long.toString(s.netOutputBytes.sum()));
                line(out, "rejected_connections", Long.toString(s.rejectedConnections()));
                line(out, "expired_keys", Long.toString(s.expiredKeys.sum()));
                line(out, "evicted_keys", "0");
                line(out, "keyspace_hits", Long.toString(s.keyspaceHits.sum()));
                line(out, "keyspace_misses", Long.toString(s.keyspaceMisses.sum()));
                line(out, "pubsub_channels", Integer.toString(s.pubsub().channelCount(false)));
                line(out, "pubsub_patterns", Integer.toString(s.pubsub().patternCount()));
                line(out, "pubsubshard_channels", Integer.toString(s.pubsub().channelCount(true)));
                line(out, "total_error_replies", Long.toString(s.errorReplies.sum()));
            }
            case "replication" -> {
                out.append("# Replication\r\n");
                io.respkv.server.replication.Replication replication = s.replication();
                if (replication == null) {
                    line(out, "role", "master");
                } else {
                    for (String l : replication.info()) { // role first: master on the Raft leader
                        out.append(l).append("\r\n");
                    }
                }
                line(out, "connected_slaves", "0");
                line(out, "master_repl_offset", "0");
            }
            case "cpu" -> {
                out.append("# CPU\r\n");
                double[] cpu = processCpuSeconds();
                line(out, "used_cpu_sys", String.format(Locale.ROOT, "%.6f", cpu[0]));
                line(out, "used_cpu_user", String.format(Locale.ROOT, "%.6f", cpu[1]));
            }
            case "modules" -> out.append("# Modules\r\n");
            case "errorstats" -> out.append("# Errorstats\r\n");
            case "cluster" -> {
                out.append("# Cluster\r\n");
                line(out, "cluster_enabled", "0");
            }
            case "keyspace" -> {
                out.append("# Keyspace\r\n");
                Keyspace ks = ctx.keyspace();
                for (int db = 0; db < s.databases(); db++) {
                    long[] counts = ks.database(db).countKeysAndExpires();
                    if (counts[0] > 0) {
                        line(out, "db" + db, "keys=" + counts[0] + ",expires=" + counts[1] + ",avg_ttl=0");
                    }
                }
            }
            case "commandstats" -> {
                out.append("# Commandstats\r\n");
                for (CommandEntry e : s.commands().allEntries()) {
                    long calls = e.calls();
                    if (calls == 0 && e.rejectedCalls() == 0) {
                        continue;
                    }
                    long usec = e.micros();
                    line(out, "cmdstat_" + e.name(), "calls=" + calls + ",usec=" + usec + ",usec_per_call="
                            + String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) usec / calls)
                            + ",rejected_calls=" + e.rejectedCalls() + ",failed_calls=" + e.failedCalls());
                }
            }
            default -> {
                // Unknown sections are silently empty, as in Redis.
            }
        }
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(key).append(':').append(value).append("\r\n");
    }

    /**
     * System and user CPU seconds of this process: from /proc/self/stat where it exists (Linux,
     * clock ticks of 10 ms), else the JVM's total process CPU time reported as user time.
     */
    private static double[] processCpuSeconds() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After "pid (comm) ", field 0 is state; utime and stime are fields 11 and 12.
            return new double[] {Long.parseLong(f[12]) / 100.0, Long.parseLong(f[11]) / 100.0};
        } catch (java.io.IOException | RuntimeException e) {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
                return new double[] {0, Math.max(0, os.getProcessCpuTime()) / 1e9};
            }
            return new double[] {0, 0};
        }
    }

    private static long totalSystemMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /** Redis's bytesToHuman: B, K, M, G with two decimals. */
    static String human(long n) {
        if (n < 1024) {
            return n + "B";
        }
        String[] units = {"K", "M", "G", "T", "P"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }
}
