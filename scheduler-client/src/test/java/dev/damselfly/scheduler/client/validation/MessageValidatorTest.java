package dev.damselfly.scheduler.client.validation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Memory;
import dev.damselfly.scheduler.proto.common.v2.Piece;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPieceFailedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPieceFinishedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.RegisterPeerRequest;
import org.junit.jupiter.api.Test;

/** The §1.10 rules. */
class MessageValidatorTest {
    private static final Download OK = Download.newBuilder().setUrl("https://example.com/blob").build();

    private static AnnouncePeerRequest.Builder env() {
        return AnnouncePeerRequest.newBuilder().setHostId("h").setTaskId("t").setPeerId("p");
    }

    @Test
    void idsMustBeNonEmpty() {
        InvalidMessageException e = assertThrows(InvalidMessageException.class, () -> MessageValidator.validate(
                env().setPeerId("").setRegisterPeerRequest(RegisterPeerRequest.newBuilder().setDownload(OK)).build()));
        assertEquals("peer_id", e.field());
        assertDoesNotThrow(() -> MessageValidator.validate(
                env().setRegisterPeerRequest(RegisterPeerRequest.newBuilder().setDownload(OK)).build()));
    }

    @Test
    void downloadRules() {
        assertEquals("url", field(() -> MessageValidator.validate(OK.toBuilder().setUrl("no scheme").build())));
        assertEquals("digest", field(() -> MessageValidator.validate(OK.toBuilder().setDigest("sha256:abc").build())));
        assertDoesNotThrow(() -> MessageValidator.validate(OK.toBuilder().setDigest("crc32:1234567890").build()));
        assertDoesNotThrow(() -> MessageValidator.validate(OK.toBuilder().setDigest("sha256:" + "a".repeat(64)).build()));
        assertEquals("piece_length", field(() -> MessageValidator.validate(OK.toBuilder().setPieceLength(1024).build())));
        assertEquals("piece_length", field(() -> MessageValidator.validate(OK.toBuilder().setPieceLength(128L << 20).build())));
        assertDoesNotThrow(() -> MessageValidator.validate(OK.toBuilder().setPieceLength(4L << 20).build()));
        assertEquals("output_path", field(() -> MessageValidator.validate(OK.toBuilder().setOutputPath("").build())));
        assertEquals("remote_ip", field(() -> MessageValidator.validate(OK.toBuilder().setRemoteIp("host").build())));
        assertDoesNotThrow(() -> MessageValidator.validate(OK.toBuilder().setRemoteIp("::1").build()));
        assertEquals("type", field(() -> MessageValidator.validate(OK.toBuilder().setTypeValue(9).build())));
    }

    @Test
    void pieceNeedsCostAndCreatedAt() {
        Piece.Builder p = Piece.newBuilder().setNumber(0).setLength(1).setDigest("crc32:1");
        assertEquals("cost", field(() -> MessageValidator.validate(env().setDownloadPieceFinishedRequest(
                DownloadPieceFinishedRequest.newBuilder().setPiece(p)).build())));
        p.setCost(Duration.newBuilder().setNanos(5));
        assertEquals("created_at", field(() -> MessageValidator.validate(p.build())));
        p.setCreatedAt(Timestamp.newBuilder().setSeconds(1));
        assertDoesNotThrow(() -> MessageValidator.validate(p.build()));
        assertEquals("parent_id", field(() -> MessageValidator.validate(p.clone().setParentId("").build())));
        assertEquals("parent_id", field(() -> MessageValidator.validate(env().setDownloadPieceFailedRequest(
                DownloadPieceFailedRequest.newBuilder().setTemporary(true)).build())));
    }

    @Test
    void hostRules() {
        Host ok = Host.newBuilder().setId("10.0.0.1-a").setHostname("a").setIp("10.0.0.1").setPort(4000)
                .setDownloadPort(4000).build();
        assertDoesNotThrow(() -> MessageValidator.validate(ok));
        assertEquals("ip", field(() -> MessageValidator.validate(ok.toBuilder().setIp("a.b").build())));
        assertEquals("port", field(() -> MessageValidator.validate(ok.toBuilder().setPort(80).build())));
        assertEquals("download_port", field(() -> MessageValidator.validate(ok.toBuilder().setDownloadPort(65535).build())));
        assertEquals("type", field(() -> MessageValidator.validate(ok.toBuilder().setType(4).build())));
        assertEquals("used_percent", field(() -> MessageValidator.validate(
                ok.toBuilder().setMemory(Memory.newBuilder().setUsedPercent(101)).build())));
        assertTrue(MessageValidator.isIp("fe80::1"));
    }

    private static String field(Runnable r) {
        return assertThrows(InvalidMessageException.class, r::run).field();
    }
}
