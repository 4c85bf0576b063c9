package io.respkv.proxy;

import io.netty.buffer.ByteBuf;

/** Where the final reply to one forwarded request goes (after any redirection). */
interface ReplyTarget {

    /** The reply frame; ownership passes to the callee. */
    void done(ByteBuf frame);
}
