package dev.damselfly.scheduler.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.scheduler.proto.common.v2.CommonProto;
import dev.damselfly.scheduler.proto.scheduler.v2.SchedulerProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every message, field, number, type, enum value and RPC of the spec's tables against our descriptors. */
class WireCompatibilityTest {

    private static String expected() throws IOException {
        try (InputStream in = WireCompatibilityTest.class.getResourceAsStream("/dragonfly-wire.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void generatedDescriptorsMatchTheSpecTables() throws IOException {
        WireSchemaCheck.Result r = WireSchemaCheck.check(expected());
        assertEquals(java.util.List.of(), r.problems(), "wire differences from shared/spec/dragonfly.md");
        assertTrue(r.messages() >= 100, "messages checked: " + r.messages());
        assertTrue(r.fields() >= 500, "fields checked: " + r.fields());
        assertTrue(r.methods() >= 50, "methods checked: " + r.methods());
        assertEquals(18, r.enumValues());
    }

    @Test
    void renumberedOrRetypedFieldIsReported() {
        WireSchemaCheck.Result r = WireSchemaCheck.check("""
                message common.v2.Range
                1 start uint64
                3 length uint64
                message common.v2.Piece
                1 number uint64
                """);
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("common.v2.Range #3: missing field length")), r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("field 2 length is not in the spec")), r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("type uint32, spec says uint64")), r.problems().toString());
    }

    @Test
    void packagesAreUpstreamAndJavaPackagesAreOurs() {
        assertEquals("common.v2", CommonProto.getDescriptor().getPackage());
        assertEquals("scheduler.v2", SchedulerProto.getDescriptor().getPackage());
        assertEquals("dev.damselfly.scheduler.proto.scheduler.v2",
                SchedulerProto.getDescriptor().getOptions().getJavaPackage());
    }
}
