package dev.damselfly.peer.cli.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.copy.CopyListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineProgressTest {
    @Test
    void printsOneLinePerFinishedBlobOnly() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LineProgress progress = new LineProgress(new PrintStream(out, true, StandardCharsets.UTF_8));
        Descriptor a = new Descriptor("x", Digest.sha256(new byte[] {1}), 12_897_485);
        Descriptor b = new Descriptor("x", Digest.sha256(new byte[] {2}), 100);
        progress.blobStarted(a);
        progress.blobProgress(a, 1000);
        progress.blobFinished(a, CopyListener.BlobOutcome.COPIED);
        progress.blobFinished(b, CopyListener.BlobOutcome.ALREADY_PRESENT);
        progress.blobFinished(b, CopyListener.BlobOutcome.MOUNTED);
        String n = System.lineSeparator();
        assertEquals("copied sha256:" + a.digest().shortHex() + " (12.3 MiB)" + n
                + "exists sha256:" + b.digest().shortHex() + " (100 B)" + n
                + "mounted sha256:" + b.digest().shortHex() + " (100 B)" + n, out.toString(StandardCharsets.UTF_8));
    }
}
