package dev.damselfly.rafs;

import java.io.IOException;

/** Base of every checked error this module raises while reading RAFS images or Nydus blobs. */
public class RafsException extends IOException {
    private static final long serialVersionUID = 1L;

    public RafsException(String message) {
        super(message);
    }

    public RafsException(String message, Throwable cause) {
        super(message, cause);
    }
}
