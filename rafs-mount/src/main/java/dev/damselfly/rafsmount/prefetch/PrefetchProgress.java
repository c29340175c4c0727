package dev.damselfly.rafsmount.prefetch;

/**
 * Where a prefetch stands.
 *
 * @param filesPlanned files it will visit
 * @param filesDone    files visited so far (fetched, already cached, or failed)
 * @param bytesFetched chunk bytes read through the loader (uncompressed)
 * @param failures     files whose chunks could not be fetched or verified (logged; readers will retry)
 * @param finished     true when it has stopped, done or cancelled
 */
public record PrefetchProgress(long filesPlanned, long filesDone, long bytesFetched, long failures, boolean finished) {
}
