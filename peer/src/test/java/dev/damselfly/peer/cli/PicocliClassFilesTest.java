package dev.damselfly.peer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The picocli on the class path is the one compiled for Java 17 (module picocli-java17), not the published jar's
 * Java 5 class files, which class data sharing cannot archive: with those, every start of a short command parsed and
 * verified about 240 picocli classes from the jar again.
 */
class PicocliClassFilesTest {
    /** Class file major version of Java 17. */
    private static final int JAVA_17 = 61;

    @Test
    void picocliClassesAreJava17ClassFiles() throws IOException {
        for (Class<?> type : new Class<?>[] {CommandLine.class, CommandLine.Model.CommandSpec.class,
                CommandLine.Help.class}) {
            assertEquals(JAVA_17, majorVersion(type), type.getName());
        }
    }

    @Test
    void theClassPathHoldsOnePicocli() throws IOException {
        var copies = java.util.Collections.list(
                PicocliClassFilesTest.class.getClassLoader().getResources("picocli/CommandLine.class"));
        assertEquals(1, copies.size(), "copies of picocli/CommandLine.class: " + copies);
    }

    private static int majorVersion(Class<?> type) throws IOException {
        String resource = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            DataInputStream data = new DataInputStream(in);
            assertEquals(0xCAFEBABE, data.readInt(), resource + " magic");
            data.readUnsignedShort(); // minor
            return data.readUnsignedShort();
        }
    }
}
