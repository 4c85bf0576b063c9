package io.respkv.engine.leveldb;

/**
 * A LevelDB operation failed: an I/O error, a corrupt or locked database directory. Carries
 * LevelDB's status text. (LevelDB itself never reports transaction conflicts: respkv's key locks
 * do, as {@link io.respkv.api.TransactionConflictException}.)
 */
public class LevelDbEngineException extends RuntimeException {

    public LevelDbEngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
