package io.respkv.server.command;

import io.respkv.api.ProtocolVersion;
import io.respkv.server.difftest.Differential;
import io.respkv.server.difftest.ProtocolTest;
import io.respkv.server.difftest.RespkvDifferentialTest;

/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against redis-server 7.0.15, byte for byte in
 * RESP2 and RESP3: conversions both ways, redis.* functions, the sandbox, and error lines.
 */
class ScriptCommandsDifferentialTest extends RespkvDifferentialTest {

    private static void eval(Differential d, String script, String... rest) {
        String[] args = new String[rest.length + 3];
        args[0] = "EVAL";
        args[1] = script;
        args[2] = Integer.toString(0);
        if (rest.length > 0) {
            args[2] = rest[0];
            System.arraycopy(rest, 1, args, 3, rest.length - 1);
            String[] trimmed = new String[rest.length + 2];
            System.arraycopy(args, 0, trimmed, 0, trimmed.length);
            args = trimmed;
        } else {
            String[] trimmed = new String[3];
            System.arraycopy(args, 0, trimmed, 0, 3);
            args = trimmed;
        }
        d.check(args);
    }

    @ProtocolTest
    void luaToReplyConversions(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            eval(d, "return 1");
            eval(d, "return 3.99");
            eval(d, "return -3.99");
            eval(d, "return 'hello'");
            eval(d, "return true");
            eval(d, "return false");
            eval(d, "return nil");
            eval(d, "return");
            eval(d, "return {1,2,3.7,'a',false,true,nil,5}");
            eval(d, "return {1,{2,{3}},{ok='x'},{err='y'}}");
            eval(d, "return {err='My Error'}");
            eval(d, "return {ok='fine'}");
            eval(d, "return {ok='a\\r\\nb'}");
            eval(d, "return redis.status_reply('PONG')");
            eval(d, "return redis.error_reply('My Error')");
            eval(d, "return redis.error_reply('oops')");
            eval(d, "return redis.error_reply('-WRONG x y')");
            eval(d, "return redis.error_reply(1)");
            eval(d, "return redis.status_reply()");
            eval(d, "return {double=3.5}");
            eval(d, "return {big_number='123456789012345678901234567890'}");
            eval(d, "return {map={a=1}}");
            eval(d, "return {set={a=true}}");
            eval(d, "return {verbatim_string={format='txt', string='hi there'}}");
            eval(d, "return 'a\\0b\\r\\n'");
            eval(d, "return 1e300");
            eval(d, "return -0.5");
            eval(d, "return {}");
            eval(d, "return 0/0");
        }
    }

    @ProtocolTest
    void resp3ConversionsWithSetresp(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check("HSET", "h", "f", "v");
            d.check("SADD", "s", "m");
            eval(d, "redis.setresp(3); return redis.call('hgetall', 'h')");
            eval(d, "redis.setresp(3); return redis.call('smembers', 's')");
            eval(d, "redis.setresp(3); return redis.call('get', 'missing')");
            eval(d, "redis.setresp(3); return true");
            eval(d, "redis.setresp(3); return false");
            eval(d, "redis.setresp(3); return {double=1.5}");
            eval(d, "redis.setresp(3); local r = redis.call('hgetall', 'h'); return type(r.map)");
            eval(d, "redis.setresp(3); return redis.call('hgetall', 'nokey')");
            eval(d, "redis.setresp(2); return redis.call('hgetall', 'h')");
            eval(d, "return redis.setresp(4)");
            eval(d, "return redis.setresp()");
            eval(d, "return type(redis.call('get', 'missing'))");
            eval(d, "return tostring(redis.call('get', 'missing'))");
        }
    }

    @ProtocolTest
    void callsAndReplies(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            eval(d, "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v");
            eval(d, "return redis.call('get', KEYS[1])", "1", "k");
            eval(d, "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}", "2", "a", "b", "c", "d");
            eval(d, "return redis.call('set', 'n', 3.5)");
            d.check("GET", "n");
            eval(d, "return redis.call('set', 'n', 0.1)");
            d.check("GET", "n");
            eval(d, "return redis.call('incr', 'counter')");
            eval(d, "return redis.call('ping')");
            eval(d, "return redis.call('lpush', 'k', 'v')");
            eval(d, "return redis.pcall('lpush', 'k', 'v')");
            eval(d, "local r = redis.pcall('lpush', 'k', 'v'); return r.err");
            eval(d, "return redis.call('nosuch')");
            eval(d, "return redis.pcall('nosuch')");
            eval(d, "return redis.call('get')");
            eval(d, "return redis.call()");
            eval(d, "return redis.call({})");
            eval(d, "return redis.call('multi')");
            eval(d, "return redis.call('client', 'nosuch')");
            eval(d, "return redis.call('hgetall', 'missing')");
            eval(d, "return redis.call('mget', 'k', 'missing')");
            eval(d, "return redis.call('blpop', 'nolist', 0)");
            eval(d, "local ok, e = pcall(redis.call, 'nosuch') return e");
            eval(d, "return redis.call('select', 1)");
            d.check("SET", "dbkey", "zero");
            eval(d, "redis.call('select', 1); return redis.call('get', 'dbkey')");
            d.check("GET", "dbkey");
            eval(d, "return redis.sha1hex('')");
            eval(d, "return redis.sha1hex('abc')");
            eval(d, "return redis.sha1hex()");
            eval(d, "return redis.log(redis.LOG_WARNING, 'from a test')");
            eval(d, "return redis.log(redis.LOG_WARNING)");
            eval(d, "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}");
        }
    }

    @ProtocolTest
    void argumentErrors(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("EVAL", "EVAL x", "EVALSHA x");
            d.check("EVAL", "return 1", "-1");
            d.check("EVAL", "return 1", "x");
            d.check("EVAL", "return 1", "3", "a");
            d.check("EVAL", "return 1", "99999999999999999999");
            d.check("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0");
            d.check("EVALSHA", "short", "0");
            d.check("EVALSHA_RO", "ffffffffffffffffffffffffffffffffffffffff", "0");
            // LuaJ's parser words syntax errors differently: ScriptCommandsTest checks the prefix
        }
    }

    @ProtocolTest
    void scriptCache(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check("SCRIPT", "FLUSH");
            d.check("SCRIPT", "LOAD", "return ARGV[1]");
            d.check("EVALSHA", "0b9d9d8ac9e2aab4f8f5c1fbbe80ea2d0e9bfb70", "0", "x");
            d.check("SCRIPT", "EXISTS", "0b9d9d8ac9e2aab4f8f5c1fbbe80ea2d0e9bfb70", "ffffffffffffffffffffffffffffffffffffffff");
            d.check("EVALSHA", "0B9D9D8AC9E2AAB4F8F5C1FBBE80EA2D0E9BFB70", "0", "upper");
            d.check("EVALSHA_RO", "0b9d9d8ac9e2aab4f8f5c1fbbe80ea2d0e9bfb70", "0", "ro");
            eval(d, "return 'cached by eval'");
            d.check("SCRIPT", "EXISTS", "1dce7c4bdcda8e8ae1c6b3d4bac1af70bcb3c07d");
            d.check("SCRIPT", "FLUSH", "ASYNC");
            d.check("SCRIPT", "FLUSH", "SYNC");
            d.check("SCRIPT", "FLUSH", "nope");
            d.check("SCRIPT", "FLUSH", "SYNC", "x");
            d.check("SCRIPT", "EXISTS", "0b9d9d8ac9e2aab4f8f5c1fbbe80ea2d0e9bfb70");
            d.check("EVALSHA", "0b9d9d8ac9e2aab4f8f5c1fbbe80ea2d0e9bfb70", "0", "x");
            d.check("SCRIPT", "KILL");
            d.check("SCRIPT", "HELP");
            d.check("SCRIPT", "NOSUCH");
            d.check("SCRIPT");
        }
    }

    @ProtocolTest
    void readOnlyScripts(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check("EVAL_RO", "return redis.call('set', 'k', 'v')", "0");
            d.check("EVAL_RO", "return redis.call('get', 'k')", "0");
            d.check("SET", "k1", "one");
            d.check("GET", "k1"); // cached: a sole read could answer it without a lock, not inside a script
            d.check("EVAL_RO", "return {redis.call('get', 'k1'), redis.call('strlen', 'k1'), redis.call('get', 'k')}", "0");
            d.check("EVAL_RO", "return redis.pcall('set', 'k', 'v')", "0");
            d.check("EVAL_RO", "return redis.call('publish', 'ch', 'm')", "0");
            d.check("EVAL", "#!lua flags=no-writes\nreturn redis.call('set', 'k', 'v')", "0");
            d.check("EVAL", "#!lua\nreturn redis.call('set', 'k', 'v')", "0");
            d.check("EVAL", "#!nosuch\nreturn 1", "0");
            d.check("EVAL", "#!lua", "0");
            d.check("EVAL", "#!lua flags=nosuch\nreturn 1", "0");
            d.check("EVAL", "#!lua other=1\nreturn 1", "0");
            d.check("EVAL", "#!lua flags=\nreturn 1", "0");
            d.check("EVAL_RO", "#!lua\nreturn 1", "0");
            d.check("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0");
            d.check("EVAL", "#!lua\n\nerror('line three')", "0");
            d.check("EXISTS", "k");
        }
    }

    @ProtocolTest
    void sandbox(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            eval(d, "x = 1");
            eval(d, "return y");
            eval(d, "string.x = 1");
            eval(d, "KEYS = 1");
            eval(d, "KEYS[1] = 'a' return KEYS[1]");
            eval(d, "redis.call = nil");
            eval(d, "setmetatable(_G, {})");
            eval(d, "local t = {} t.x = 1 return t.x");
            eval(d, "return os");
            eval(d, "return io");
            eval(d, "return print");
            eval(d, "return dofile");
            eval(d, "return loadfile");
            eval(d, "return require");
            eval(d, "return setfenv");
            eval(d, "return getfenv");
            eval(d, "return debug");
            eval(d, "return newproxy");
            eval(d, "return module");
            eval(d, "return _VERSION");
            eval(d, "return {type(loadstring), type(load), type(unpack), type(table.getn), type(math.mod), "
                    + "type(string.gfind), type(table.unpack), type(gcinfo), type(coroutine), type(pcall), "
                    + "type(xpcall), type(bit), type(rawset), type(select), type(_G)}");
            eval(d, "error('boom')");
            eval(d, "error({err='t'})");
            eval(d, "error({err='CODE with code'})");
            eval(d, "\n\nerror('third line')");
            eval(d, "local function f() error('inner') end\nf()");
            eval(d, "local ok, e = pcall(error, 'x') return e");
            eval(d, "local ok, e = pcall(function() error('x') end) return e");
            eval(d, "local ok, e = pcall(function() error({err='tbl'}) end) return e.err");
            eval(d, "return redis.call('get', 'k', 'extra')");
            eval(d, "\nreturn redis.call('nosuch')");
            eval(d, "return loadstring('return 1 + 1')()");
            eval(d, "return unpack({1, 2, 3})");
            eval(d, "return select('#', unpack({1, 2, 3}))");
            eval(d, "return table.getn({1, 2, 3})");
        }
    }

    @ProtocolTest
    void numbersAndStrings(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            eval(d, "return tostring(1/3)");
            eval(d, "return tostring(1e15)");
            eval(d, "return tostring(1e100)");
            eval(d, "return tostring(-0.5)");
            eval(d, "return tostring(100)");
            eval(d, "return tostring(2^53)");
            eval(d, "return string.format('%d %5.2f %g %s %x %q', 42, 3.14159, 0.1, 'str', 255, 'a\\nb')");
            eval(d, "return string.format('%s', 1/3)");
            eval(d, "return string.format('%.3f', 1/3)");
            eval(d, "return string.format('%e', 12345.678)");
            eval(d, "return string.format('%05d|%-5d|%+d', 42, 42, 42)");
            eval(d, "return tonumber('0x10')");
            eval(d, "return tonumber('  12  ')");
            eval(d, "return tonumber('1e2')");
            eval(d, "return math.floor(3.7)");
            eval(d, "return string.rep('ab', 3)");
            eval(d, "return string.sub('hello', 2, -2)");
            eval(d, "return {string.byte('ABC', 1, 3)}");
            eval(d, "return string.char(72, 105)");
            eval(d, "return string.upper('abc') .. string.lower('DEF')");
            eval(d, "return {string.find('hello world', 'o w')}");
            eval(d, "return (string.gsub('hello', 'l', 'L'))");
            eval(d, "local t = {} for w in string.gmatch('a b c', '%a') do t[#t+1] = w end return t");
            eval(d, "local t = {3, 1, 2} table.sort(t) return t");
            eval(d, "local t = {} table.insert(t, 'a') table.insert(t, 1, 'b') return t");
            eval(d, "return table.concat({1, 2, 3}, ',')");
        }
    }

    @ProtocolTest
    void randomIsSeededLikeRedis(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            eval(d, "math.randomseed(7) return {math.random(100), math.random(100), math.random(1, 6)}");
            eval(d, "math.randomseed(42) return tostring(math.random())");
            eval(d, "math.randomseed(1) return math.random(0)");
        }
    }

    @ProtocolTest
    void scriptsInsideMulti(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.checkSequence("MULTI");
            d.check("EVAL", "return redis.call('incr', 'x')", "0");
            d.check("EVAL", "return redis.call('incr', 'x')", "0");
            d.check("EXEC");
        }
    }

    @ProtocolTest
    void bitLibrary(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            eval(d, "return {bit.band(0xff, 0x0f), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.bnot(0), bit.tobit(2^32 + 5)}");
            eval(d, "return {bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(0x12345678, 8), bit.ror(1, 1)}");
            eval(d, "return {bit.tohex(255), bit.tohex(-1, -4), bit.tohex(0x1234, 2), bit.bswap(0x12345678), bit.tobit(1.5), bit.tobit(-2.5)}");
            eval(d, "return bit.band()");
        }
    }

    @ProtocolTest
    void structLibrary(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            eval(d, "return struct.pack('>I4HbB', 0x01020304, 513, -1, 255)");
            eval(d, "return struct.pack('<i8', -2)");
            eval(d, "return {struct.unpack('>I4H', struct.pack('>I4H', 7, 9))}");
            eval(d, "return {struct.unpack('<i2 b', struct.pack('<i2 b', -300, -5))}");
            eval(d, "return {struct.unpack('s c3', 'hello\\0abc')}");
            eval(d, "return struct.size('!4 b i4 d')");
            eval(d, "return struct.pack('!4 b i4', 1, 2)");
            eval(d, "return {struct.unpack('>d', struct.pack('>d', 1.5))}");
            eval(d, "return struct.pack('z', 1)");
            eval(d, "return struct.unpack('I4', 'ab')");
            eval(d, "return {struct.unpack('B', 'xyz', 2)}");
        }
    }

    @ProtocolTest
    void cjsonLibrary(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            eval(d, "return cjson.encode({1, 2, 'three', true, false})");
            eval(d, "return cjson.encode({a = 1})");
            eval(d, "return cjson.encode({a = {b = {1.5, 0.1, 1e100, -1}}})");
            eval(d, "return cjson.encode('quote\\\" slash/ back\\\\ nl\\n tab\\t ctl\\1 del\\127 high\\200')");
            eval(d, "return cjson.encode({})");
            eval(d, "return cjson.encode(cjson.null)");
            eval(d, "return cjson.encode({[1] = 1, [3] = 3})");
            eval(d, "return cjson.encode({[1] = 1, [100] = 3})");
            eval(d, "return cjson.encode(1/0)");
            eval(d, "return cjson.encode(function() end)");
            eval(d, "return cjson.encode({[true] = 1})");
            eval(d, "return cjson.encode(123456789012345)");
            eval(d, "local t = cjson.decode('[1, 2.5, \"x\", true, null, {\"k\": [\"v\"]}]') "
                    + "return {t[1], t[2], t[3], tostring(t[4]), t[5] == cjson.null, t[6].k[1], #t}");
            eval(d, "return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\\\\n\"')");
            eval(d, "return cjson.decode('{\"a\": }')");
            eval(d, "return cjson.decode('[1 2]')");
            eval(d, "return cjson.decode('')");
            eval(d, "return cjson.decode('nope')");
            eval(d, "return cjson.decode('\"unterminated')");
            eval(d, "return cjson.decode('0x10')");
            eval(d, "return cjson.decode('{\"a\":1} x')");
            eval(d, "return cjson.encode(cjson.decode('{\"a\":[1,2,{\"b\":null}]}'))");
        }
    }

    @ProtocolTest
    void cmsgpackLibrary(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            eval(d, "return cmsgpack.pack(1, -1, 127, 128, -33, 300, -300, 70000, -70000, 5000000000, -5000000000)");
            eval(d, "return cmsgpack.pack(1.5, 0.1, true, false, nil, 'abc', string.rep('x', 40), string.rep('y', 300))");
            eval(d, "return cmsgpack.pack({1, 2, 3}, {a = 1}, {})");
            eval(d, "return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}, 4.5))}");
            eval(d, "local t = cmsgpack.unpack(cmsgpack.pack({a = 'b'})) return t.a");
            eval(d, "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}");
            eval(d, "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}");
            eval(d, "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}");
            eval(d, "return cmsgpack.unpack('\\205')");
            eval(d, "return cmsgpack.unpack('\\193')");
            eval(d, "return cmsgpack.pack()");
            eval(d, "local t = {} local cur = t for i = 1, 20 do cur[1] = {} cur = cur[1] end return cmsgpack.pack(t)");
        }
    }

    @ProtocolTest
    void aclChecksInsideScripts(ProtocolVersion protocol) {
        try (Differential d = open(protocol)) {
            d.check("ACL", "SETUSER", "scripter", "on", ">pw", "~allowed:*", "+@all", "-flushall", "&news");
            d.check("AUTH", "scripter", "pw");
            d.check("EVAL", "return redis.call('set', 'allowed:1', 'v')", "0");
            d.check("EVAL", "return redis.call('set', 'other', 'v')", "0");
            d.check("EVAL", "return redis.call('flushall')", "0");
            d.check("EVAL", "return redis.call('publish', 'sports', 'm')", "0");
            d.check("EVAL", "return redis.pcall('set', 'other', 'v')", "0");
            d.check("EVAL", "return redis.acl_check_cmd('set', 'other', 'v')", "0");
            d.check("EVAL", "return redis.acl_check_cmd('get', 'allowed:x')", "0");
            d.check("EVAL", "return redis.acl_check_cmd('nosuch')", "0");
            d.check("AUTH", "default", "nopass-is-ignored");
            d.check("ACL", "DELUSER", "scripter");
        }
    }
}
