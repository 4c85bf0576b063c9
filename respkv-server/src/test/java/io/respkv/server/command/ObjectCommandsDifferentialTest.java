package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RespkvDifferentialTest;

/**
 * OBJECT against redis-server 7.0.15 where respkv answers as Redis does: string encodings and
 * reference counts of values written by SET, the encoding of hashes Redis keeps as hash tables,
 * missing keys, FREQ and IDLETIME where Redis itself refuses, HELP, arity and unknown
 * subcommands. respkv's own answers are in {@link ObjectCommandsTest}.
 */
class ObjectCommandsDifferentialTest extends RespkvDifferentialTest {

    @ProtocolTest
    void stringEncodingsAndRefcounts(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            String s44 = "x".repeat(44);
            String s45 = "x".repeat(45);
            d.checkSequence("SET int 12345", "OBJECT ENCODING int", "OBJECT REFCOUNT int",
                    "SET neg -9223372036854775808", "OBJECT ENCODING neg", "OBJECT REFCOUNT neg",
                    "SET max 9223372036854775807", "OBJECT ENCODING max",
                    "SET over 9223372036854775808", "OBJECT ENCODING over",
                    "SET twenty 99999999999999999999", "OBJECT ENCODING twenty",
                    "SET shared 0", "OBJECT ENCODING shared", "OBJECT REFCOUNT shared",
                    "SET shared 9999", "OBJECT REFCOUNT shared", "SET shared 10000", "OBJECT REFCOUNT shared",
                    "SET shared -1", "OBJECT REFCOUNT shared",
                    "SET lead 012", "OBJECT ENCODING lead", "SET plus +1", "OBJECT ENCODING plus",
                    "SET mz -0", "OBJECT ENCODING mz", "SET sp \" 1\"", "OBJECT ENCODING sp",
                    "SET fl 1.5", "OBJECT ENCODING fl", "OBJECT REFCOUNT fl",
                    "SET empty \"\"", "OBJECT ENCODING empty",
                    "SET e44 " + s44, "OBJECT ENCODING e44", "SET r45 " + s45, "OBJECT ENCODING r45",
                    "OBJECT REFCOUNT r45", "SET bin \"\\x00\\xff\"", "OBJECT ENCODING bin",
                    "INCR counter", "OBJECT ENCODING counter", "OBJECT REFCOUNT counter",
                    "MSET m1 7 m2 hello", "OBJECT ENCODING m1", "OBJECT ENCODING m2",
                    "SET t 5 PX 100000", "OBJECT ENCODING t", "OBJECT REFCOUNT t");
        }
    }

    @ProtocolTest
    void hashesRedisKeepsAsHashTables(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            // A value over hash-max-listpack-value (64 bytes) makes Redis convert to a hash table.
            d.checkSequence("HSET h f " + "v".repeat(65), "OBJECT ENCODING h", "OBJECT REFCOUNT h",
                    "HSET h g 1", "OBJECT ENCODING h");
        }
    }

    @ProtocolTest
    void missingKeysArityAndHelp(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("OBJECT ENCODING nokey", "OBJECT REFCOUNT nokey", "OBJECT IDLETIME nokey",
                    "OBJECT FREQ nokey", "SET k v", "OBJECT FREQ k", "object freq k", "OBJECT help",
                    "OBJECT HELP", "OBJECT HELP x", "OBJECT", "OBJECT ENCODING", "OBJECT ENCODING k x",
                    "OBJECT REFCOUNT", "OBJECT IDLETIME", "OBJECT FREQ a b", "OBJECT foo", "OBJECT foo k",
                    "SET gone v PX 20");
            KeyCommandsDifferentialTest.sleepMillis(60);
            d.checkSequence("OBJECT ENCODING gone", "OBJECT REFCOUNT gone", "OBJECT IDLETIME gone",
                    "OBJECT FREQ gone");
        }
    }

    @ProtocolTest
    void idletimeUnderAnLfuPolicy(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("CONFIG SET maxmemory-policy allkeys-lfu");
            try {
                d.checkSequence("SET k v", "HSET h f v", "OBJECT IDLETIME k", "OBJECT IDLETIME h",
                        "OBJECT IDLETIME nokey", "OBJECT FREQ nokey", "CONFIG SET maxmemory-policy volatile-lfu",
                        "OBJECT IDLETIME k");
            } finally {
                d.checkSequence("CONFIG SET maxmemory-policy noeviction");
            }
        }
    }
}
