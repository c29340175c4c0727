package dev.damselfly.piecestore;

/**
 * In-memory key of one piece (hot cache, single-flight, write locks). Dragonfly spells it {@code "{task_id}-{number}"}.
 * Hashed on every piece read and write, so equals and hashCode are written out: a record's generated ones are linked
 * through method handles on first use, spinning classes while the node serves its first pieces.
 */
record PieceKey(String taskId, int number) {
    @Override
    public boolean equals(Object o) {
        return o instanceof PieceKey k && k.number == number && k.taskId.equals(taskId);
    }

    @Override
    public int hashCode() {
        return 31 * taskId.hashCode() + number;
    }

    @Override
    public String toString() {
        return taskId + "-" + number;
    }
}
