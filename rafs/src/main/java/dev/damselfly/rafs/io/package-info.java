/**
 * Bounds-checked little-endian positional reads over a bootstrap held in a memory-mapped file or a byte
 * array ({@link dev.damselfly.rafs.io.ByteRegion}). Nothing here loads a whole file onto the heap; every
 * out-of-range read becomes a {@link dev.damselfly.rafs.RafsFormatException} with the input name and offset.
 */
package dev.damselfly.rafs.io;
