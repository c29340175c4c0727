package dev.damselfly.exchange.vortex;

import dev.damselfly.exchange.PieceTransferException;

/** The parent answered a piece request with a Vortex {@code Error} packet; {@link #code()} says which. */
public final class VortexErrorException extends PieceTransferException {
    private static final long serialVersionUID = 1L;
    private final transient VortexError error;

    public VortexErrorException(String parent, String taskId, int pieceNumber, VortexError error) {
        super(parent, taskId, pieceNumber, "parent answered error " + error.code() + " (" + error.wireCode() + "): "
                + error.message(), null);
        this.error = error;
    }

    public VortexErrorCode code() {
        return error.code();
    }

    @Override
    public boolean parentBusy() {
        return error.code() == VortexErrorCode.INTERNAL && error.message().startsWith(PieceUploader.BUSY_MESSAGE_PREFIX);
    }

    @Override
    public boolean repeatDeflected() {
        return error.code() == VortexErrorCode.INTERNAL
                && error.message().startsWith(PieceUploader.REPEAT_MESSAGE_PREFIX);
    }

    /** The parent's message. */
    public String parentMessage() {
        return error.message();
    }
}
