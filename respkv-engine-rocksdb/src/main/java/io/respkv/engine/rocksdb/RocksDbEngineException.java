package io.respkv.engine.rocksdb;

/**
 * A RocksDB operation failed for a reason other than a transaction conflict: an I/O error, a
 * corrupt or locked database directory, an invalid option. Carries RocksDB's status text.
 */
public class RocksDbEngineException extends RuntimeException {

    public RocksDbEngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
