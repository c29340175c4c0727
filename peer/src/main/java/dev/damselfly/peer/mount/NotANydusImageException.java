package dev.damselfly.peer.mount;

import java.io.IOException;

/** An image whose manifest has no Nydus bootstrap layer, or whose bootstrap layer holds no {@code image.boot}. */
public final class NotANydusImageException extends IOException {
    private static final long serialVersionUID = 1L;

    public NotANydusImageException(String reference, String reason) {
        super(reference + " is not a Nydus image: " + reason);
    }
}
