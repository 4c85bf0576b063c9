package io.respkv.server.script;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** C's %g/%e/%f as glibc prints them (the values Lua 5.1 and Redis print). */
class CFormatTest {

    @Test
    void luaNumberFormatIsPercent14g() {
        assertEquals("0.33333333333333", CFormat.number(1.0 / 3));
        assertEquals("1e+15", CFormat.number(1e15));
        assertEquals("1e+100", CFormat.number(1e100));
        assertEquals("1e+14", CFormat.number(1e14));
        assertEquals("10000000000000", CFormat.number(1e13));
        assertEquals("-0.5", CFormat.number(-0.5));
        assertEquals("0.0001", CFormat.number(0.0001));
        assertEquals("1e-05", CFormat.number(0.00001));
        assertEquals("inf", CFormat.number(Double.POSITIVE_INFINITY));
        assertEquals("-inf", CFormat.number(Double.NEGATIVE_INFINITY));
        assertEquals("-0", CFormat.number(-0.0));
        assertEquals("9.007199254741e+15", CFormat.number(Math.pow(2, 53)));
    }

    @Test
    void percent17gAsRedisWritesCommandArguments() {
        assertEquals("0.10000000000000001", CFormat.g(0.1, 17, false, false));
        assertEquals("3.5", CFormat.g(3.5, 17, false, false));
        assertEquals("1e+100", CFormat.g(1e100, 17, false, false));
        assertEquals("0.33333333333333331", CFormat.g(1.0 / 3, 17, false, false));
    }

    @Test
    void percentEAndF() {
        assertEquals("1.234568e+04", CFormat.e(12345.678, 6, false, false));
        assertEquals("0.333", CFormat.f(1.0 / 3, 3, false));
        assertEquals("2", CFormat.f(2.5, 0, false)); // round half to even on the exact binary value
        assertEquals("3.", CFormat.f(3.0, 0, true));
        assertEquals("1.000000E-05", CFormat.e(0.00001, 6, false, true));
    }

    @Test
    void lrand48MatchesRedis() {
        // redis-server 7.0.15: math.randomseed(7) return {math.random(100), math.random(100)} -> 27, 69
        Lrand48 r = new Lrand48();
        r.seed(7);
        assertEquals(27, (int) Math.floor(r.nextDouble() * 100) + 1);
        assertEquals(69, (int) Math.floor(r.nextDouble() * 100) + 1);
    }
}
