/**
 * The LevelDB storage engine: {@link io.respkv.engine.leveldb.LevelDbEngine} (built with
 * {@link io.respkv.engine.leveldb.LevelDbEngine#builder()}) and its ServiceLoader provider
 * {@link io.respkv.engine.leveldb.LevelDbEngineProvider} ({@code --engine leveldb}).
 *
 * <p>Persistent (SYNC with group commit, or ASYNC), respkv's own key-lock transactions over
 * leveldbjni, range deletes emulated key by key at commit, copying checkpoints. See
 * {@code docs/engines.md} for the options, the durability argument and what it lacks against
 * RocksDB.
 */
package io.respkv.engine.leveldb;
