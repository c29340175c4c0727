package dev.damselfly.exchange.engine;

import java.io.IOException;

/** An HTTP origin answered with a status the engine cannot use; names the URL (without credentials). */
public final class OriginResponseException extends IOException {
    private final String url;
    private final int status;

    public OriginResponseException(String url, int status, String what) {
        super(what + ": " + url + " answered HTTP " + status);
        this.url = url;
        this.status = status;
    }

    public String url() {
        return url;
    }

    public int status() {
        return status;
    }
}
