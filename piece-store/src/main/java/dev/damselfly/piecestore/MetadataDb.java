package dev.damselfly.piecestore;

import dev.damselfly.piecestore.RecordCodec.PieceRecord;
import dev.damselfly.piecestore.RecordCodec.TaskRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB half of the store, under {@code <dir>/metadata}: column families {@code meta} (schema
 * version, clean-shutdown marker), {@code task}, {@code piece} and {@code chunk}. Every mutation is one
 * {@link WriteBatch}, written with {@code sync} when the store syncs writes.
 */
final class MetadataDb implements AutoCloseable {
    /** Version of the on-disk format this code reads and writes. */
    static final int SCHEMA_VERSION = 1;
    private static final byte[] SCHEMA_KEY = "schema-version".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CLEAN_KEY = "clean-shutdown".getBytes(StandardCharsets.UTF_8);
    private static final java.util.regex.Pattern ROCKSDB_FILE = java.util.regex.Pattern.compile(
            "LOCK|IDENTITY|CURRENT|LOG(\\.old\\..*)?|MANIFEST-\\d+|OPTIONS-\\d+(\\.dbtmp)?|\\d+\\.(log|sst|dbtmp|blob)");
    private static final List<String> FAMILIES = List.of("meta", "task", "piece", "chunk");

    static {
        RocksDbLibrary.load();
    }

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle task;
    private final ColumnFamilyHandle piece;
    private final ColumnFamilyHandle chunk;
    private final WriteOptions writeOptions;

    private boolean created;

    private MetadataDb(Path dir, DBOptions dbOptions, ColumnFamilyOptions cfOptions, RocksDB db,
            List<ColumnFamilyHandle> handles, boolean sync) {
        this.dir = dir;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.db = db;
        this.handles = handles;
        this.meta = handles.get(1);
        this.task = handles.get(2);
        this.piece = handles.get(3);
        this.chunk = handles.get(4);
        this.writeOptions = new WriteOptions().setSync(sync);
    }

    /** Opens or creates the database; any failure is a {@link StoreOpenException} naming {@code dir}. */
    static MetadataDb open(Path dir, boolean sync) {
        boolean exists = Files.exists(dir.resolve("CURRENT"));
        if (!exists && Files.isDirectory(dir)) {
            // files RocksDB writes before CURRENT (a crash during the very first open leaves some) are fine
            try (var list = Files.list(dir)) {
                var foreign = list.map(p -> p.getFileName().toString())
                        .filter(n -> !ROCKSDB_FILE.matcher(n).matches()).findAny();
                if (foreign.isPresent()) {
                    throw new StoreOpenException(dir, "directory holds no RocksDB database but other files (e.g. "
                            + foreign.get() + ")", null);
                }
            } catch (java.io.IOException e) {
                throw new StoreOpenException(dir, "cannot list directory", e);
            }
        }
        if (exists) {
            try (Options o = new Options()) {
                List<byte[]> present = RocksDB.listColumnFamilies(o, dir.toString());
                List<String> names = new ArrayList<>();
                for (byte[] p : present) {
                    names.add(new String(p, StandardCharsets.UTF_8));
                }
                if (!names.containsAll(FAMILIES)) {
                    throw new StoreOpenException(dir, "incompatible database: column families " + names
                            + ", expected " + FAMILIES + " (not written by this piece store)", null);
                }
            } catch (RocksDBException e) {
                throw new StoreOpenException(dir, "unreadable database: " + e.getMessage(), e);
            }
        }
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxOpenFiles(256).setKeepLogFileNum(3);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (String f : FAMILIES) {
            descriptors.add(new ColumnFamilyDescriptor(f.getBytes(StandardCharsets.UTF_8), cfOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            Files.createDirectories(dir);
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException | java.io.IOException e) {
            dbOptions.close();
            cfOptions.close();
            String why = e.getMessage() != null && e.getMessage().contains("lock")
                    ? "database is locked (is another process using this store?): " + e.getMessage()
                    : "unreadable database: " + e.getMessage();
            throw new StoreOpenException(dir, why, e);
        }
        MetadataDb m = new MetadataDb(dir, dbOptions, cfOptions, db, handles, sync);
        try {
            byte[] v = db.get(m.meta, SCHEMA_KEY);
            if (v == null) {
                if (exists && m.hasAny(m.task)) {
                    throw new StoreOpenException(dir, "incompatible database: no schema version", null);
                }
                m.write(b -> b.put(m.meta, SCHEMA_KEY, ByteBuffer.allocate(4).putInt(SCHEMA_VERSION).array()));
                m.created = !exists;
            } else if (v.length != 4 || ByteBuffer.wrap(v).getInt() != SCHEMA_VERSION) {
                throw new StoreOpenException(dir, "incompatible database: schema version "
                        + (v.length == 4 ? ByteBuffer.wrap(v).getInt() : -1) + ", this build reads "
                        + SCHEMA_VERSION, null);
            }
        } catch (RocksDBException e) {
            m.close();
            throw new StoreOpenException(dir, "unreadable database: " + e.getMessage(), e);
        } catch (StoreOpenException e) {
            m.close();
            throw e;
        }
        return m;
    }

    Path directory() {
        return dir;
    }

    private boolean hasAny(ColumnFamilyHandle cf) {
        try (RocksIterator it = db.newIterator(cf)) {
            it.seekToFirst();
            return it.isValid();
        }
    }

    /**
     * Whether the last run ended with {@link #markCleanShutdown(long)} (or the database was just created); the
     * marker is removed (synced) so that a crash from now on counts as unclean.
     */
    boolean takeCleanShutdownMarker() {
        if (created) {
            return true;
        }
        try {
            boolean clean = db.get(meta, CLEAN_KEY) != null;
            if (clean) {
                try (WriteOptions w = new WriteOptions().setSync(true)) {
                    db.delete(meta, w, CLEAN_KEY);
                }
            }
            return clean;
        } catch (RocksDBException e) {
            throw new StoreOpenException(dir, "cannot read the clean-shutdown marker: " + e.getMessage(), e);
        }
    }

    void markCleanShutdown(long nowMillis) {
        try (WriteOptions w = new WriteOptions().setSync(true)) {
            db.put(meta, w, CLEAN_KEY, ByteBuffer.allocate(8).putLong(nowMillis).array());
        } catch (RocksDBException e) {
            throw new StoreMetadataException("write of the clean-shutdown marker", e);
        }
    }

    Map<String, TaskRecord> loadTasks() {
        Map<String, TaskRecord> out = new LinkedHashMap<>();
        try (RocksIterator it = db.newIterator(task)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                out.put(RecordCodec.taskIdOf(it.key()), RecordCodec.decodeTask(it.value()));
            }
        }
        return out;
    }

    /** Every piece record in key order (task by task); keys that do not parse are passed with a null record. */
    void forEachPiece(BiConsumer<String, PieceRecord> consumer) {
        try (RocksIterator it = db.newIterator(piece)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                Object[] k = RecordCodec.splitPieceKey(it.key());
                if (k != null) {
                    consumer.accept((String) k[0], RecordCodec.decodePiece((Integer) k[1], it.value()));
                }
            }
        }
    }

    void putTask(String taskId, TaskRecord t) {
        write("put task " + taskId, b -> b.put(task, RecordCodec.taskKey(taskId), RecordCodec.encodeTask(t)));
    }

    /**
     * One batch: the piece record and the task's updated record.
     *
     * @throws StorageFullException   if the file system had no room for the write-ahead log (nothing committed)
     * @throws StoreMetadataException on any other RocksDB failure
     */
    void commitPiece(String taskId, TaskRecord t, PieceRecord p) {
        try {
            write(b -> {
                b.put(piece, RecordCodec.pieceKey(taskId, p.number()), RecordCodec.encodePiece(p));
                b.put(task, RecordCodec.taskKey(taskId), RecordCodec.encodeTask(t));
            });
        } catch (RocksDBException e) {
            throw commitFailure(dir, taskId, p.number(), e);
        }
    }

    /**
     * A failed piece commit as the store reports it: RocksDB's {@code IOError} with sub-code {@code NoSpace} (what
     * its POSIX layer makes of {@code ENOSPC}) is a {@link StorageFullException} naming the metadata directory,
     * anything else a {@link StoreMetadataException}.
     */
    static PieceStoreException commitFailure(Path dir, String taskId, int number, RocksDBException e) {
        if (isNoSpace(e)) {
            return new StorageFullException(taskId, number, dir, "metadata database has no room for the commit: "
                    + e.getMessage(), e);
        }
        return new StoreMetadataException("commit of task " + taskId + " piece " + number, e);
    }

    private static boolean isNoSpace(RocksDBException e) {
        Status s = e.getStatus();
        if (s != null) {
            return s.getCode() == Status.Code.IOError && s.getSubCode() == Status.SubCode.NoSpace;
        }
        String m = e.getMessage();
        return m != null && m.contains("No space left on device");
    }

    void deletePiece(String taskId, int number) {
        write("delete of task " + taskId + " piece " + number,
                b -> b.delete(piece, RecordCodec.pieceKey(taskId, number)));
    }

    /** One batch: the task record and its whole piece range. */
    void deleteTask(String taskId) {
        write("delete of task " + taskId, b -> {
            b.delete(task, RecordCodec.taskKey(taskId));
            b.deleteRange(piece, RecordCodec.piecePrefix(taskId), RecordCodec.piecePrefixEnd(taskId));
        });
    }

    /** Removes piece ranges of tasks that have no task record (left by older bugs or foreign edits). */
    void deletePieceRanges(Iterable<String> taskIds) {
        write("delete of orphan pieces", b -> {
            for (String id : taskIds) {
                b.deleteRange(piece, RecordCodec.piecePrefix(id), RecordCodec.piecePrefixEnd(id));
            }
        });
    }

    /** Persists last-access times (no sync needed: they are hints for LRU order). */
    void putTasks(Map<String, TaskRecord> tasks) {
        write("update of task access times", b -> {
            for (var e : tasks.entrySet()) {
                b.put(task, RecordCodec.taskKey(e.getKey()), RecordCodec.encodeTask(e.getValue()));
            }
        });
    }

    void putChunk(String digest, ChunkLocation loc) {
        write("put chunk " + digest, b -> b.put(chunk, RecordCodec.chunkKey(digest), RecordCodec.encodeChunk(loc)));
    }

    ChunkLocation getChunk(String digest) {
        try {
            byte[] v = db.get(chunk, RecordCodec.chunkKey(digest));
            return v == null ? null : RecordCodec.decodeChunk(v);
        } catch (RocksDBException e) {
            throw new StoreMetadataException("read of chunk " + digest, e);
        }
    }

    void deleteChunk(String digest) {
        write("delete chunk " + digest, b -> b.delete(chunk, RecordCodec.chunkKey(digest)));
    }

    @FunctionalInterface
    private interface BatchBody {
        void fill(WriteBatch b) throws RocksDBException;
    }

    private void write(BatchBody body) throws RocksDBException {
        try (WriteBatch b = new WriteBatch()) {
            body.fill(b);
            db.write(writeOptions, b);
        }
    }

    private void write(String what, BatchBody body) {
        try {
            write(body);
        } catch (RocksDBException e) {
            throw new StoreMetadataException(what, e);
        }
    }

    @Override
    public void close() {
        try {
            db.syncWal();
        } catch (RocksDBException ignored) {
            // best effort; the WAL was synced per write when syncing is on
        }
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        writeOptions.close();
        dbOptions.close();
        cfOptions.close();
    }
}
