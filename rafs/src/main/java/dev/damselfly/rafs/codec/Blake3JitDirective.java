package dev.damselfly.rafs.codec;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks HotSpot, through its diagnostic-command MBean (what {@code jcmd PID Compiler.directives_add} does), to leave
 * the vector compression method to C2 alone. C1 cannot compile that method well: at its profiling tier it runs out
 * of virtual registers, and when a busy JVM has first compiled it at C1's limited tier, the tiered policy never
 * moves it on to C2, so vector hashing stays at C1 speed (slower than scalar) for good. Without C1 the method is
 * interpreted until C2 has compiled it, which {@link Blake3VectorWarmUp} waits for. On a JVM without the MBean this
 * does nothing and the warm-up's own measurement decides.
 */
final class Blake3JitDirective {
    /** The compiler directive (HotSpot's JSON-like directive format). */
    static final String DIRECTIVE = "[{ match: \"" + Blake3VectorLanes.class.getName().replace('.', '/')
            + ".compressBlocks\", c1: { Exclude: true } }]";

    private static final Logger LOG = LoggerFactory.getLogger(Blake3JitDirective.class);

    private Blake3JitDirective() {
    }

    /**
     * Adds {@link #DIRECTIVE} once per JVM, before any vector hashing (later calls return the first answer); true when
     * HotSpot took it.
     */
    static boolean keepCompressionOutOfC1() {
        return Once.ADDED;
    }

    /** Holder: the directive is added when this class initializes, at most once per JVM. */
    private static final class Once {
        static final boolean ADDED = add();
    }

    private static boolean add() {
        Path file = null;
        try {
            file = Files.createTempFile("damselfly-blake3-", ".json");
            Files.writeString(file, DIRECTIVE, StandardCharsets.US_ASCII);
            Object reply = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            LOG.debug("BLAKE3: compiler directive added ({})", String.valueOf(reply).strip());
            return true;
        } catch (IOException | JMException | RuntimeException | LinkageError e) {
            LOG.debug("BLAKE3: compiler directive not added: {}", e.toString());
            return false;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.debug("BLAKE3: could not delete {}: {}", file, e.toString());
                }
            }
        }
    }
}
