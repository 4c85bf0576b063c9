/**
 * The RocksDB storage engine: {@link io.respkv.engine.rocksdb.RocksDbEngine} (built with
 * {@link io.respkv.engine.rocksdb.RocksDbEngine#builder()}) and its ServiceLoader provider
 * {@link io.respkv.engine.rocksdb.RocksDbEngineProvider} ({@code --engine rocksdb}).
 *
 * <p>Persistent (SYNC or ASYNC write-ahead log), pessimistic key-lock transactions, native range
 * deletes, checkpoints. See {@code docs/engines.md} for the options, durability guarantees and
 * the measurements behind the design.
 */
package io.respkv.engine.rocksdb;
