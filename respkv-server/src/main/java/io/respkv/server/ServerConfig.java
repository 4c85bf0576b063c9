package io.respkv.server;

import io.respkv.api.ConsistencyLevel;
import io.respkv.api.KeyspaceEngine;
import io.respkv.codec.RespLimits;

/**
 * The immutable configuration a {@link RespServer} was built with.
 *
 * @param bind               address to listen on
 * @param port               port to listen on, 0 for any free port
 * @param engine             the storage engine
 * @param ownsEngine         whether the server closes the engine when it stops
 * @param requirePass        the default user's password, or null for none
 * @param databases          number of SELECTable databases
 * @param limits             protocol limits
 * @param eventLoopThreads   Netty event-loop threads (0: one per core)
 * @param allowShutdown      whether the SHUTDOWN command may stop the server
 * @param shutdownHook       run after SHUTDOWN stops the server (the standalone server exits the JVM)
 * @param commandThreads     threads that run commands when the engine declares
 *                           {@link io.respkv.api.EngineFeature#BLOCKING_IO} or a replication is set (unused otherwise)
 * @param consistency        the read consistency connections start with (and READWRITE restores)
 * @param replication        the replicated log writes go through, or null (see {@link io.respkv.server.replication.Replication})
 * @param aclFile            Redis's {@code aclfile}: users loaded at start, ACL LOAD / ACL SAVE; null for none
 * @param protectedMode      Redis's {@code protected-mode}
 * @param maxClients         Redis's {@code maxclients}
 * @param idleTimeoutSeconds Redis's {@code timeout} (0: never)
 * @param queryBufferLimit   Redis's {@code client-query-buffer-limit} in bytes
 * @param transport          how the event loops do I/O (resolved: never {@link NetTransport#AUTO})
 */
public record ServerConfig(String bind, int port, KeyspaceEngine engine, boolean ownsEngine, String requirePass,
                           int databases, RespLimits limits, int eventLoopThreads, boolean allowShutdown,
                           Runnable shutdownHook, int commandThreads, ConsistencyLevel consistency,
                           io.respkv.server.replication.Replication replication, java.nio.file.Path aclFile,
                           boolean protectedMode, int maxClients, long idleTimeoutSeconds, long queryBufferLimit,
                           NetTransport transport) {

    /** Redis's defaults for {@code maxclients} and {@code client-query-buffer-limit}. */
    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    public static final long DEFAULT_QUERY_BUFFER_LIMIT = 1024L * 1024 * 1024;

    /** The configuration without the security settings (no ACL file, protected mode, Redis's limits). */
    public ServerConfig(String bind, int port, KeyspaceEngine engine, boolean ownsEngine, String requirePass,
                        int databases, RespLimits limits, int eventLoopThreads, boolean allowShutdown,
                        Runnable shutdownHook, int commandThreads, ConsistencyLevel consistency,
                        io.respkv.server.replication.Replication replication) {
        this(bind, port, engine, ownsEngine, requirePass, databases, limits, eventLoopThreads, allowShutdown,
                shutdownHook, commandThreads, consistency, replication, null, true, DEFAULT_MAX_CLIENTS, 0,
                DEFAULT_QUERY_BUFFER_LIMIT, NetTransport.AUTO.resolve());
    }
}
