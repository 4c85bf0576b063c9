package io.respkv.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.respkv.api.ProtocolVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * What the clients of one event loop share, touched only from that loop (so nothing here is
 * locked): the backend connection pools, one per node, protocol and role, and the list of
 * connections written to in the current batch, flushed together by one task that runs after
 * the loop has processed the batch's reads.
 */
final class LoopContext {

    final EventLoop loop;
    final ProxyConfig config;
    final Topology topology;
    final ProxyUsers users;
    private final Bootstrap bootstrap;
    /** Pools by [protocol * 2 + (replica ? 1 : 0)]. */
    @SuppressWarnings("unchecked")
    private final Map<ClusterNode, BackendPool>[] pools = new Map[4];
    private final ArrayList<Flushable> dirty = new ArrayList<>();
    private final Runnable flushTask = this::flushAll;
    private boolean flushScheduled;

    LoopContext(EventLoop loop, ProxyConfig config, Topology topology, ProxyUsers users,
                Class<? extends SocketChannel> channelType) {
        this.loop = loop;
        this.config = config;
        this.topology = topology;
        this.users = users;
        for (int i = 0; i < pools.length; i++) {
            pools[i] = new HashMap<>();
        }
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
    }

    /** A bootstrap on this loop for backend connections (the caller sets the handler). */
    Bootstrap bootstrap() {
        return bootstrap.clone();
    }

    /** The shared pool of connections to {@code node} for {@code protocol}; replica pools send READONLY first. */
    BackendPool pool(ClusterNode node, ProtocolVersion protocol, boolean replica) {
        Map<ClusterNode, BackendPool> m = pools[protocol.ordinal() * 2 + (replica ? 1 : 0)];
        BackendPool pool = m.get(node);
        if (pool == null) {
            pool = new BackendPool(this, node, protocol, replica);
            m.put(node, pool);
        }
        return pool;
    }

    /** Queues {@code f} for the flush after this batch. Event loop only. */
    void flushLater(Flushable f) {
        dirty.add(f);
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushAll() {
        flushScheduled = false;
        // flushing may complete replies that queue more flushes: those run in the next task
        int n = dirty.size();
        for (int i = 0; i < n; i++) {
            dirty.get(i).flushNow();
        }
        if (dirty.size() == n) {
            dirty.clear();
        } else {
            dirty.subList(0, n).clear();
        }
    }
}
