package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * How a failed piece commit is reported. A real full disk under RocksDB's WAL needs a small file system this test
 * cannot mount, so it builds the exception RocksDB's JNI layer throws for {@code ENOSPC}: status {@code IOError},
 * sub-code {@code NoSpace}.
 */
class MetadataDbFailureTest {
    static final Path META = Path.of("/store/metadata");

    @Test
    void noSpaceOnTheWalCommitIsStorageFull() {
        RocksDBException e = new RocksDBException("IO error: No space left on device: While appending to file: "
                + "/store/metadata/000004.log: No space left on device",
                new Status(Status.Code.IOError, Status.SubCode.NoSpace, "No space left on device"));
        StorageFullException full = assertInstanceOf(StorageFullException.class,
                MetadataDb.commitFailure(META, "t1", 7, e));
        assertEquals("t1", full.taskId());
        assertEquals(7, full.pieceNumber());
        assertEquals(META, full.path());
        assertSame(e, full.getCause());
        assertTrue(full.getMessage().contains("No space left"), full.getMessage());
    }

    @Test
    void otherFailuresStayMetadataErrors() {
        RocksDBException io = new RocksDBException("IO error: Input/output error",
                new Status(Status.Code.IOError, Status.SubCode.None, "Input/output error"));
        assertInstanceOf(StoreMetadataException.class, MetadataDb.commitFailure(META, "t1", 7, io));
        RocksDBException busy = new RocksDBException("Operation timed out",
                new Status(Status.Code.TimedOut, Status.SubCode.LockTimeout, null));
        assertInstanceOf(StoreMetadataException.class, MetadataDb.commitFailure(META, "t1", 7, busy));
    }
}
