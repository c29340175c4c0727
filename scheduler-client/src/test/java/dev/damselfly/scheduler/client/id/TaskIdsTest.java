package dev.damselfly.scheduler.client.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Task ids against the spec §3.1 vectors. */
class TaskIdsTest {
    private static final String URL = "https://example.com";

    @Test
    void urlWithPieceLengthTagApplicationRevision() {
        assertEquals("5844f27a257287e9b734256bb25603d8005422ced8c0377f15063ec11963b25f", TaskIds.taskId(
                TaskIdInput.of(URL).withPieceLength(1024).withTag("foo").withApplication("bar").withRevision("v1.0")));
    }

    @Test
    void urlWithTagAndApplication() {
        assertEquals("06408fbf247ddaca478f8cb9565fe5591c28efd0994b8fea80a6a87d3203c5ca",
                TaskIds.taskId(TaskIdInput.of(URL).withTag("foo").withApplication("bar")));
    }

    @Test
    void urlWithTag() {
        assertEquals("3c3f230ef9f191dd2821510346a7bc138e4894bee9aee184ba250a3040701d2a",
                TaskIds.taskId(TaskIdInput.of(URL).withTag("foo")));
    }

    @Test
    void urlWithApplication() {
        assertEquals("c9f9261b7305c24371244f9f149f5d4589ed601348fdf22d7f6f4b10658fdba2",
                TaskIds.taskId(TaskIdInput.of(URL).withApplication("bar")));
    }

    @Test
    void urlWithPieceLength() {
        assertEquals("9f7c9aafbc6f30f8f41a96ca77eeae80c5b60964b3034b0ee43ccf7b2f9e52b8",
                TaskIds.taskId(TaskIdInput.of(URL).withPieceLength(1024)));
        assertEquals(TaskIds.sha256Hex("https://example.com1024STANDARD"),
                TaskIds.taskId(TaskIdInput.of(URL).withPieceLength(1024)));
    }

    @Test
    void filteredQueryParamsAreDropped() {
        assertEquals("457b4328cde278e422c9e243f7bfd1e97f511fec43a80f535cf6b0ef6b086776", TaskIds.taskId(
                TaskIdInput.of("https://example.com?foo=foo&bar=bar").withFilteredQueryParams(List.of("foo", "bar"))));
    }

    @Test
    void urlWithRevision() {
        assertEquals("b171331534b80e0bf91da38ebbfcdbf4d177898f4b9beac44f14733e3f004d4e",
                TaskIds.taskId(TaskIdInput.of(URL).withRevision("v1.0")));
    }

    @Test
    void contentForCalculatingTaskId() {
        assertEquals("e2d0fe1585a63ec6009c8016ff8dda8b17719a637405a4e23c0ff81339148249",
                TaskIds.taskId(TaskIdInput.of(URL).withContentForCalculatingTaskId("This is a test file")));
    }

    @Test
    void blobDigestMode() {
        String digest = "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";
        String url = "https://registry.example.com/v2/myorg/myrepo/blobs/sha256:" + digest;
        assertEquals(digest, TaskIds.taskId(TaskIdInput.of(url).withTaskIdBasedBlobDigest(true)));
        assertEquals(digest, TaskIds.taskId(TaskIdInput.of(url + "?ns=docker.io").withTaskIdBasedBlobDigest(true)));
        // disabled: URL-based
        assertEquals(TaskIds.sha256Hex(url + "STANDARD"), TaskIds.taskId(TaskIdInput.of(url)));
    }

    @Test
    void normalisation() {
        assertEquals("https://example.com", TaskIds.normalizeUrl("HTTPS://Example.COM:443/", List.of()));
        assertEquals("http://example.com:8080/a/b?x=1", TaskIds.normalizeUrl("http://example.com:8080/a/b?x=1", List.of()));
        assertEquals("https://example.com/p?keep=a+b&z=%2F", TaskIds.normalizeUrl(
                "https://example.com/p?X-Amz-Signature=s&keep=a%20b&z=/", List.of("X-Amz-Signature")));
        assertEquals("https://example.com/p", TaskIds.normalizeUrl("https://example.com/p?ns=docker.io", List.of("ns")));
        assertEquals("https://example.com/p#frag", TaskIds.normalizeUrl("https://example.com/p#frag", List.of()));
        // case-sensitive filter keys
        assertEquals("https://example.com/p?NS=x", TaskIds.normalizeUrl("https://example.com/p?NS=x", List.of("ns")));
        assertThrows(InvalidTaskUrlException.class, () -> TaskIds.normalizeUrl("not a url", List.of()));
    }
}
