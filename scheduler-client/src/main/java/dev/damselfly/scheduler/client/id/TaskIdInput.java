package dev.damselfly.scheduler.client.id;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a standard task id is computed from (spec §3.1).
 *
 * @param url the download URL (required)
 * @param pieceLength caller-chosen piece length in bytes, part of the id only when present
 * @param tag optional tag (header {@code X-Dragonfly-Tag}), part of the id when present
 * @param application optional application (header {@code X-Dragonfly-Application})
 * @param revision revision, only for Hugging Face / ModelScope / OpenCSG downloads
 * @param filteredQueryParams query keys (case-sensitive) dropped before hashing the URL
 * @param contentForCalculatingTaskId when present, the id is sha256 of this string alone
 * @param taskIdBasedBlobDigest when true and the URL is an OCI blob URL, the id is the blob digest
 */
public record TaskIdInput(String url, OptionalLong pieceLength, Optional<String> tag,
                          Optional<String> application, Optional<String> revision,
                          List<String> filteredQueryParams, Optional<String> contentForCalculatingTaskId,
                          boolean taskIdBasedBlobDigest) {

    public TaskIdInput {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(pieceLength, "pieceLength");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(revision, "revision");
        filteredQueryParams = List.copyOf(filteredQueryParams);
        Objects.requireNonNull(contentForCalculatingTaskId, "contentForCalculatingTaskId");
    }

    /** A plain URL with nothing else: no piece length, tag, application or filters. */
    public static TaskIdInput of(String url) {
        return new TaskIdInput(url, OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), Optional.empty(), false);
    }

    public TaskIdInput withPieceLength(long bytes) {
        return new TaskIdInput(url, OptionalLong.of(bytes), tag, application, revision, filteredQueryParams,
                contentForCalculatingTaskId, taskIdBasedBlobDigest);
    }

    public TaskIdInput withTag(String value) {
        return new TaskIdInput(url, pieceLength, Optional.of(value), application, revision, filteredQueryParams,
                contentForCalculatingTaskId, taskIdBasedBlobDigest);
    }

    public TaskIdInput withApplication(String value) {
        return new TaskIdInput(url, pieceLength, tag, Optional.of(value), revision, filteredQueryParams,
                contentForCalculatingTaskId, taskIdBasedBlobDigest);
    }

    public TaskIdInput withRevision(String value) {
        return new TaskIdInput(url, pieceLength, tag, application, Optional.of(value), filteredQueryParams,
                contentForCalculatingTaskId, taskIdBasedBlobDigest);
    }

    public TaskIdInput withFilteredQueryParams(List<String> keys) {
        return new TaskIdInput(url, pieceLength, tag, application, revision, keys,
                contentForCalculatingTaskId, taskIdBasedBlobDigest);
    }

    public TaskIdInput withContentForCalculatingTaskId(String content) {
        return new TaskIdInput(url, pieceLength, tag, application, revision, filteredQueryParams,
                Optional.of(content), taskIdBasedBlobDigest);
    }

    public TaskIdInput withTaskIdBasedBlobDigest(boolean enabled) {
        return new TaskIdInput(url, pieceLength, tag, application, revision, filteredQueryParams,
                contentForCalculatingTaskId, enabled);
    }
}
