package io.respkv.proxy;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link LoopContext} per event loop, created when the loop's first client connects. */
final class LoopContexts {

    private final ProxyConfig config;
    private final Topology topology;
    private final ProxyUsers users;
    private final Class<? extends SocketChannel> channelType;
    private final Map<EventLoop, LoopContext> contexts = new ConcurrentHashMap<>();

    LoopContexts(ProxyConfig config, Topology topology, ProxyUsers users, Class<? extends SocketChannel> channelType) {
        this.config = config;
        this.topology = topology;
        this.users = users;
        this.channelType = channelType;
    }

    LoopContext of(EventLoop loop) {
        return contexts.computeIfAbsent(loop, l -> new LoopContext(l, config, topology, users, channelType));
    }
}
