package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RespkvDifferentialTest;

/**
 * FUNCTION LOAD/DELETE/FLUSH/LIST/STATS/HELP and FCALL/FCALL_RO against redis-server 7.0.15,
 * byte for byte in RESP2 and RESP3. One library of one function where FUNCTION LIST is compared
 * (Redis lists libraries and functions in hash order).
 */
class FunctionCommandsDifferentialTest extends RespkvDifferentialTest {

    private static final String LIB = "#!lua name=mylib\n"
            + "redis.register_function{function_name='myfunc', callback=function(keys, args) "
            + "return {keys[1], args[1], redis.call('incr', keys[1])} end, description='counts'}\n";

    private static final String RO_LIB = "#!lua name=rolib\n"
            + "redis.register_function{function_name='reader', callback=function(keys, args) "
            + "return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-stale'}}\n"
            + "redis.register_function('writer', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n"
            + "redis.register_function('failing', function(keys, args)\n  error('boom')\nend)\n"
            + "redis.register_function('calls', function(keys, args) return redis.call('nosuch') end)\n"
            + "redis.register_function('globals', function(keys, args) return KEYS end)\n";

    @ProtocolTest
    void loadCallAndList(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check("FUNCTION", "FLUSH");
            d.check("FUNCTION", "LIST");
            d.check("FUNCTION", "LOAD", LIB);
            d.check("FUNCTION", "LIST");
            d.check("FUNCTION", "LIST", "WITHCODE");
            d.check("FUNCTION", "LIST", "LIBRARYNAME", "my*");
            d.check("FUNCTION", "LIST", "LIBRARYNAME", "other*");
            d.check("FUNCTION", "LIST", "LIBRARYNAME");
            d.check("FUNCTION", "LIST", "BOGUS");
            d.check("FCALL", "myfunc", "1", "k", "arg");
            d.check("FCALL", "myfunc", "1", "k", "arg");
            d.check("FCALL_RO", "myfunc", "1", "k", "arg");
            d.check("FCALL", "nosuch", "0");
            d.check("FCALL", "myfunc", "-1");
            d.check("FCALL", "myfunc", "x");
            d.check("FCALL", "myfunc", "5", "a");
            d.check("FUNCTION", "LOAD", LIB);
            d.check("FUNCTION", "LOAD", "REPLACE", LIB);
            d.check("FUNCTION", "LOAD", "BOGUS", LIB);
            d.check("FUNCTION", "LOAD", "REPLACE");
            d.check("FUNCTION", "STATS");
            d.check("FUNCTION", "DELETE", "nosuch");
            d.check("FUNCTION", "DELETE", "mylib");
            d.check("FCALL", "myfunc", "1", "k", "arg");
            d.check("FUNCTION", "LIST");
        }
    }

    @ProtocolTest
    void flagsErrorsAndReadOnly(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check("FUNCTION", "FLUSH");
            d.check("FUNCTION", "LOAD", RO_LIB);
            d.check("FCALL", "writer", "1", "k", "v");
            d.check("FCALL_RO", "reader", "1", "k");
            d.check("FCALL", "reader", "1", "k");
            d.check("FCALL_RO", "writer", "1", "k", "v");
            d.check("FCALL", "failing", "0");
            d.check("FCALL", "calls", "0");
            d.check("FCALL", "globals", "0");
            d.check("FUNCTION", "LOAD", "#!lua name=dup\nredis.register_function('writer', function() return 1 end)");
            d.check("FUNCTION", "FLUSH", "ASYNC");
            d.check("FUNCTION", "FLUSH", "BOGUS");
            d.check("FCALL", "writer", "1", "k", "v");
        }
    }

    @ProtocolTest
    void loadErrors(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check("FUNCTION", "FLUSH");
            d.check("FUNCTION", "LOAD", "return 1");
            d.check("FUNCTION", "LOAD", "#!lua name=x");
            d.check("FUNCTION", "LOAD", "#!lua\nreturn 1");
            d.check("FUNCTION", "LOAD", "#!lua name=a name=b\nreturn 1");
            d.check("FUNCTION", "LOAD", "#!lua name=a other=b\nreturn 1");
            d.check("FUNCTION", "LOAD", "#!lua name=bad-name\nreturn 1");
            d.check("FUNCTION", "LOAD", "#!python name=p\nreturn 1");
            d.check("FUNCTION", "LOAD", "#!lua name=empty\nlocal x = 1");
            d.check("FUNCTION", "LOAD", "#!lua name=err\nerror('x')");
            d.check("FUNCTION", "LOAD", "#!lua name=callatload\nredis.call('ping')");
            d.check("FUNCTION", "LOAD", "#!lua name=reg\nredis.register_function('bad name', function() end)");
            d.check("FUNCTION", "LOAD", "#!lua name=reg\nredis.register_function('f', 'notafunction')");
            d.check("FUNCTION", "LOAD", "#!lua name=reg\nredis.register_function{function_name='f'}");
            d.check("FUNCTION", "LOAD", "#!lua name=reg\nredis.register_function{callback=function() end}");
            d.check("FUNCTION", "LOAD", "#!lua name=reg\nredis.register_function{function_name='f', callback=function() end, flags={'nosuch'}}");
            d.check("FUNCTION", "LOAD", "#!lua name=reg\nredis.register_function{function_name='f', callback=function() end, other=1}");
            d.check("FUNCTION", "LOAD", "#!lua name=reg\nredis.register_function()");
            d.check("FUNCTION", "LOAD", "#!lua name=reg\nredis.register_function('f', function() end)\nredis.register_function('f', function() end)");
            d.check("FCALL", "f", "0");
            d.check("FUNCTION", "LIST");
        }
    }

    @ProtocolTest
    void restoreRedisDumpPayloads(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check("FUNCTION", "FLUSH");
            d.check("FUNCTION", "LOAD", LIB);
            // Redis's own payload (LZF-compressed code), restored into both
            byte[] payload = d.sendBoth("FUNCTION", "DUMP").reference().payload();
            d.check(Differential.bytes("FUNCTION"), Differential.bytes("RESTORE"), payload);
            d.check(Differential.bytes("FUNCTION"), Differential.bytes("RESTORE"), payload, Differential.bytes("REPLACE"));
            d.check(Differential.bytes("FUNCTION"), Differential.bytes("RESTORE"), payload, Differential.bytes("FLUSH"));
            d.check(Differential.bytes("FUNCTION"), Differential.bytes("RESTORE"), payload, Differential.bytes("BOGUS"));
            d.check(Differential.bytes("FUNCTION"), Differential.bytes("RESTORE"), payload, Differential.bytes("FLUSH"),
                    Differential.bytes("x"));
            d.check("FCALL", "myfunc", "1", "k", "arg");
            d.check("FUNCTION", "RESTORE", "garbage-payload");
            d.check("FUNCTION", "RESTORE", "");
            byte[] corrupt = payload.clone();
            corrupt[3] ^= 1;
            d.check(Differential.bytes("FUNCTION"), Differential.bytes("RESTORE"), corrupt);
            d.check("FUNCTION", "HELP");
            d.check("FUNCTION", "FLUSH");
            // respkv's payload (uncompressed) restores into Redis too
            d.check("FUNCTION", "LOAD", RO_LIB);
            byte[] ours = d.sendBoth("FUNCTION", "DUMP").candidate().payload();
            d.check("FUNCTION", "FLUSH");
            d.check(Differential.bytes("FUNCTION"), Differential.bytes("RESTORE"), ours);
            d.check("FCALL", "writer", "1", "k", "v");
            d.check("FCALL_RO", "reader", "1", "k");
        }
    }
}
