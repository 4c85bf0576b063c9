/**
 * The TiKV engine ({@link io.respkv.engine.tikv.TikvEngine}): respkv's key space in a TiKV
 * cluster through tikv-client-java, shared by any number of respkv instances.
 */
package io.respkv.engine.tikv;
