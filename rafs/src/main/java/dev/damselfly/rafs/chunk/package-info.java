/**
 * The 80-byte chunk record shared by RAFS v5 inodes and the RAFS v6 chunk info table (§1.12), and an index
 * over the v6 table keyed by (blob index, chunk-info index).
 */
package dev.damselfly.rafs.chunk;
