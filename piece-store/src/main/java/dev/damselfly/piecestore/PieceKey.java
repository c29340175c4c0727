package dev.damselfly.piecestore;

/** In-memory key of one piece (hot cache, single-flight, write locks). Dragonfly spells it {@code "{task_id}-{number}"}. */
record PieceKey(String taskId, int number) {
    @Override
    public String toString() {
        return taskId + "-" + number;
    }
}
