package dev.damselfly.rafs.codec;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hashes several BLAKE3 chunks, or several parent nodes, at once, one per lane of a vector register. The tree
 * walk stays in {@link Blake3}; this seam only takes the two kinds of non-root compression that come in
 * independent batches. Chaining values live in one {@code int[]} of rows of 8 words (row {@code r} at
 * {@code 8 * r}).
 */
interface Blake3Lanes {
    /**
     * System property that turns the vector implementation off: {@value} ({@code true} by default; it is only used
     * when the JVM was started with {@code --add-modules jdk.incubator.vector}).
     */
    String ENABLED_PROPERTY = "damselfly.blake3.vector";

    /** Name of the JDK module the vector implementation needs: {@value}. */
    String VECTOR_MODULE = "jdk.incubator.vector";

    /** Fewest lanes worth the vector path: 4 (one 128-bit register of 32-bit words). */
    int MIN_LANES = 4;

    /** How many chunks {@link #chunks} hashes, and how many parents {@link #parents} computes, per call. */
    int lanes();

    /**
     * Chaining values of {@link #lanes()} consecutive full (1024-byte), non-root chunks starting at
     * {@code data[off]}, the first with chunk counter {@code counter}, into rows {@code row ..} of {@code cvs}.
     */
    void chunks(byte[] data, int off, long counter, int[] cvs, int row);

    /**
     * Non-root parents of {@link #lanes()} consecutive pairs of rows: parent {@code p + i} of rows
     * {@code 2(p + i)} and {@code 2(p + i) + 1}, written to row {@code p + i} (reads finish before writes).
     */
    void parents(int[] cvs, int p);

    /**
     * Whether this JVM may have a vector implementation: the property allows it and the module was added. Cheap: it
     * loads none of the vector API's classes (that {@link #detect()} does, tens of milliseconds).
     */
    static boolean possible() {
        return Boolean.parseBoolean(System.getProperty(ENABLED_PROPERTY, "true"))
                && ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * The vector implementation for this JVM's preferred vector size when its module is present, the property
     * allows it and a register holds at least {@link #MIN_LANES} words; else empty (plain scalar hashing).
     */
    static Optional<Blake3Lanes> detect() {
        Logger log = LoggerFactory.getLogger(Blake3Lanes.class);
        if (!possible()) {
            log.debug("BLAKE3: scalar ({}=false, or module {} not added to this JVM)", ENABLED_PROPERTY, VECTOR_MODULE);
            return Optional.empty();
        }
        try {
            // loaded by name: the class links against the incubator module, absent unless the JVM added it
            Blake3Lanes lanes = (Blake3Lanes) Class.forName(Blake3Lanes.class.getPackageName() + ".Blake3VectorLanes")
                    .getDeclaredConstructor().newInstance();
            if (lanes.lanes() < MIN_LANES) {
                log.debug("BLAKE3: scalar (vectors hold {} words)", lanes.lanes());
                return Optional.empty();
            }
            log.debug("BLAKE3: {} lanes ({})", lanes.lanes(), VECTOR_MODULE);
            return Optional.of(lanes);
        } catch (ReflectiveOperationException | LinkageError e) {
            log.debug("BLAKE3: scalar (vector implementation unavailable: {})", e.toString());
            return Optional.empty();
        }
    }
}
