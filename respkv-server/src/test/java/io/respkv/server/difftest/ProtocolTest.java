package io.respkv.server.difftest;

import io.respkv.api.ProtocolVersion;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs a test method once per {@link ProtocolVersion} (RESP2, then RESP3); the method takes
 * the version as its parameter:
 *
 * <pre>{@code
 * @ProtocolTest
 * void incr(ProtocolVersion protocol) {
 *     try (Differential d = open(protocol)) { d.checkSequence("INCR n", "GET n"); }
 * }
 * }</pre>
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ParameterizedTest(name = "{0}")
@EnumSource(ProtocolVersion.class)
public @interface ProtocolTest {
}
