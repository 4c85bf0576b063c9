package io.respkv.proxy;

import java.time.Duration;
import java.util.List;

/** The settings of one {@link RespProxy}, fixed when it is built. */
record ProxyConfig(String bind, int port, List<ClusterNode> startupNodes, Duration slotsReloadInterval,
                   int backendConnections, Duration connectTimeout, String user, String password,
                   ReadPrefer readPrefer, String requirePass, java.nio.file.Path aclFile, int eventLoopThreads,
                   int maxRedirects, ProxyTls tls, io.respkv.server.NetTransport transport) {
}
