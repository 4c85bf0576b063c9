package io.respkv.server.command.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.respkv.api.ProtocolVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyTreeTextTest {

    private static final ReplyTree SAMPLE = new ReplyTree.Array(List.of(
            new ReplyTree.Bulk("get"),
            new ReplyTree.Int(-2),
            new ReplyTree.Set(List.of(new ReplyTree.Simple("readonly"), new ReplyTree.Simple("fast"))),
            new ReplyTree.Map(List.of(new ReplyTree.Bulk("k"), new ReplyTree.Null(),
                    new ReplyTree.Int(7), new ReplyTree.Array(List.of()))),
            new ReplyTree.Set(List.of()),
            new ReplyTree.Map(List.of())));

    @Test
    void formatsEveryTypeWithItsMark() {
        assertEquals("[\"get\",-2,~[+\"readonly\",+\"fast\"],{\"k\":_,7:[]},~[],{}]", ReplyTreeText.format(SAMPLE));
    }

    @Test
    void parsesWhatItFormats() {
        assertEquals(SAMPLE, ReplyTreeText.parse(ReplyTreeText.format(SAMPLE)));
        assertEquals(new ReplyTree.Int(Long.MIN_VALUE), ReplyTreeText.parse("-9223372036854775808"));
    }

    @Test
    void escapesToAsciiAndBack() {
        ReplyTree tricky = new ReplyTree.Bulk("a\"b\\c\r\n\t\u0001 é \uD83D\uDE00 ~");
        String text = ReplyTreeText.format(tricky);
        assertEquals("\"a\\\"b\\\\c\\r\\n\\t\\u0001 \\u00e9 \\ud83d\\ude00 ~\"", text);
        assertEquals(tricky, ReplyTreeText.parse(text));
        assertEquals(new ReplyTree.Simple("x"), ReplyTreeText.parse("+\"x\""));
    }

    @Test
    void parsesASliceOfALine() {
        String line = "get {\"summary\":\"Get\"}";
        assertEquals(new ReplyTree.Map(List.of(new ReplyTree.Bulk("summary"), new ReplyTree.Bulk("Get"))),
                ReplyTreeText.parse(line, 4, line.length()));
    }

    @Test
    void rejectsMalformedTextNamingTheOffset() {
        assertEquals("trailing characters at offset 3",
                assertThrows(IllegalArgumentException.class, () -> ReplyTreeText.parse("[1] ")).getMessage());
        assertEquals("expected ',' or ']' at offset 2",
                assertThrows(IllegalArgumentException.class, () -> ReplyTreeText.parse("[1 2]")).getMessage());
        assertEquals("unexpected end at offset 3",
                assertThrows(IllegalArgumentException.class, () -> ReplyTreeText.parse("\"ab")).getMessage());
        assertEquals("unknown escape at offset 1",
                assertThrows(IllegalArgumentException.class, () -> ReplyTreeText.parse("\"\\x\"")).getMessage());
        assertEquals("expected ':' at offset 4",
                assertThrows(IllegalArgumentException.class, () -> ReplyTreeText.parse("{\"a\"}")).getMessage());
        assertEquals("integer out of range at offset 0",
                assertThrows(IllegalArgumentException.class, () -> ReplyTreeText.parse("9223372036854775808")).getMessage());
        assertEquals("expected a digit at offset 1",
                assertThrows(IllegalArgumentException.class, () -> ReplyTreeText.parse("-")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReplyTreeText.parse("+\"a\nb\""));
    }

    @Test
    void treesReplayThroughASinkInBothProtocols() {
        BytesReplySink resp3 = new BytesReplySink(ProtocolVersion.RESP3);
        SAMPLE.writeTo(resp3);
        assertEquals("*6\r\n$3\r\nget\r\n:-2\r\n~2\r\n+readonly\r\n+fast\r\n%2\r\n$1\r\nk\r\n_\r\n:7\r\n*0\r\n~0\r\n%0\r\n",
                resp3.text());
        BytesReplySink resp2 = new BytesReplySink(ProtocolVersion.RESP2);
        SAMPLE.writeTo(resp2);
        assertEquals("*6\r\n$3\r\nget\r\n:-2\r\n*2\r\n+readonly\r\n+fast\r\n*4\r\n$1\r\nk\r\n$-1\r\n:7\r\n*0\r\n*0\r\n*0\r\n",
                resp2.text());
    }
}
