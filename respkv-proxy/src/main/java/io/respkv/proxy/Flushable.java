package io.respkv.proxy;

/** A connection whose writes are flushed once, after the event loop's current batch of reads. */
interface Flushable {

    /** Flushes what was written since the last flush. */
    void flushNow();
}
