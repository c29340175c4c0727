package dev.damselfly.piecestore;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * {@link PieceStore#getOrFetch}: a stored piece is read; a missing one (or one just dropped as corrupt) is
 * fetched once per piece however many callers want it ({@link SingleFlight}), verified and stored by the write
 * path, and its bytes are shared by the callers.
 */
final class FetchOnMiss {
    private final PieceReader reader;
    private final PieceWriter writer;
    private final SingleFlight<PieceKey, ByteBuffer> flights = new SingleFlight<>();

    FetchOnMiss(PieceReader reader, PieceWriter writer) {
        this.reader = reader;
        this.writer = writer;
    }

    ByteBuffer getOrFetch(TaskState t, int number, PieceFetcher fetcher) {
        t.checkNumber(number);
        ByteBuffer stored = readIfStored(t, number);
        if (stored != null) {
            return stored;
        }
        return flights.run(new PieceKey(t.taskId, number), () -> {
            ByteBuffer again = readIfStored(t, number);
            if (again != null) {
                return again;
            }
            FetchedPiece f;
            try {
                f = fetcher.fetch(t.taskId, number, t.offsetOf(number), t.lengthOf(number));
            } catch (IOException e) {
                throw new PieceFetchException(t.taskId, number, e);
            }
            if (f == null || f.bytes() == null) {
                throw new PieceFetchException(t.taskId, number, new IOException("fetcher returned nothing"));
            }
            writer.write(t, number, f.bytes(), f.digest());
            ByteBuffer copy = ByteBuffer.allocate(f.bytes().remaining()).put(f.bytes().duplicate()).flip();
            return copy.asReadOnlyBuffer();
        }).duplicate();
    }

    /** The stored piece, or null when it is missing or was just dropped as corrupt. */
    private ByteBuffer readIfStored(TaskState t, int number) {
        if (t.piece(number) == null) {
            return null;
        }
        try {
            return reader.read(t, number, false);
        } catch (PieceNotFoundException e) {
            return null;
        }
    }
}
