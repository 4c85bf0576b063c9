package io.respkv.engine.leveldb;

import io.respkv.api.Durability;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Child process of the kill -9 test: commits keys {@code 0, 1, 2, ...} (8-byte big-endian) one
 * transaction each and prints {@code acked N} after commit N returned, until it is killed or has
 * committed {@code max}.
 *
 * <pre>usage: CommitUntilKilled DIR sync|async MAX</pre>
 */
public final class CommitUntilKilled {

    private CommitUntilKilled() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: CommitUntilKilled DIR sync|async MAX");
            System.exit(2);
        }
        Durability durability = args[1].equals("sync") ? Durability.SYNC : Durability.ASYNC;
        long max = Long.parseLong(args[2]);
        LevelDbEngine engine = LevelDbEngine.builder().path(Path.of(args[0])).durability(durability)
                .walSyncInterval(java.time.Duration.ZERO).build();
        System.out.println("ready");
        System.out.flush();
        for (long i = 0; i < max; i++) {
            byte[] key = ByteBuffer.allocate(8).putLong(i).array();
            engine.transact(txn -> {
                txn.put(key, key);
                return null;
            });
            System.out.println("acked " + i);
            System.out.flush();
        }
        Thread.sleep(60_000); // never closes the engine: the parent kills us
    }
}
