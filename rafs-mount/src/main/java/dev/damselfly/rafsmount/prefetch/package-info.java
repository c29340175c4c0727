/**
 * Background prefetch of a mounted image into the blob cache: the files of the bootstrap's prefetch table (or
 * a given list, e.g. an access trace), then optionally every other file, bandwidth-limited. Uses the same
 * verified, single-flight chunk loader as reads, so prefetched bytes are checked like any others.
 */
package dev.damselfly.rafsmount.prefetch;
