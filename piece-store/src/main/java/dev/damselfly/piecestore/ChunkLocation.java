package dev.damselfly.piecestore;

/**
 * Where a content-addressed chunk (a Nydus chunk digest) lives on this node: a byte range of a task.
 *
 * @param taskId the task holding the bytes
 * @param offset byte offset in that task's content
 * @param length bytes
 */
public record ChunkLocation(String taskId, long offset, int length) {
    public ChunkLocation {
        if (offset < 0 || length < 0) {
            throw new InvalidPieceException("bad chunk location " + taskId + "@" + offset + "+" + length);
        }
    }
}
