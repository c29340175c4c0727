/**
 * JMH benchmarks of the piece store, side by side with plain {@code FileChannel} I/O on the same disk:
 * {@link dev.damselfly.piecestore.bench.PieceWriteBenchmark} and {@link dev.damselfly.piecestore.bench.PieceReadBenchmark}
 * (4 MiB and 16 KiB piece writes and reads),
 * {@link dev.damselfly.piecestore.bench.RestartBenchmark} (opening a store of 100k pieces), and
 * {@link dev.damselfly.piecestore.bench.PieceStoreBenchmarks}, the runner behind {@code piece-store/bench/run}
 * that writes the {@code piece-store} section of {@code BENCHMARKS.md}. Not run by {@code mvn verify}.
 */
package dev.damselfly.piecestore.bench;
